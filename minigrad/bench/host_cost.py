"""What a GPU training step costs the host, measured without a GPU.

``minigrad bench --device cuda --host-cost`` (and tests/test_cuda_host_cost.py): a
LeNet-5 training step at batch 256 (SGD with momentum, and Adam) on the fake GPU
(:mod:`minigrad.testing.fake_gpu`: numba-cuda's real launch path, no kernel runs), in
steady state (after warm-up steps), counting per step: kernel launches, device
allocations asked of the memory manager and those reaching the driver, frees reaching
the driver (each waits for the GPU), copies each way, synchronisations, and the host
time (median over the measured steps). The GPU's own time is not here: on an H100 the
kernels of this step take a fraction of a millisecond, so the host time is what bounds
a step unless it is smaller.

Also the training loop (``minigrad.train.train_one_epoch``) over CPU batches, which adds
the batch copies to the device and the loss and accuracy bookkeeping.
"""
from __future__ import annotations

import json
import statistics
import sys
from typing import Callable

BATCH = 256
WARMUP = 3
STEPS = 20
OPTIMIZERS = ("sgd-momentum", "adam")
FIELDS = ("launches", "allocs", "alloc_bytes", "driver_allocs", "driver_frees",
          "host_to_device", "device_to_host", "syncs", "blocking")


def _optimizer(name: str, params):
    from minigrad import optim
    if name == "sgd-momentum":
        return optim.SGD(params, lr=0.01, momentum=0.9)
    if name == "adam":
        return optim.Adam(params, lr=1e-3)
    raise ValueError(f"optimizer: expected one of {OPTIMIZERS}, got {name!r}")


def _summary(counts: list, label: str) -> dict:
    last = counts[-1]
    row = {"case": label, "steps": len(counts)}
    for f in FIELDS:
        row[f] = max(getattr(c, f) for c in counts)  # the worst step
    row["host_ms"] = statistics.median(c.host_s for c in counts) * 1e3
    row["kernels"] = dict(sorted(last.kernels.items(), key=lambda kv: -kv[1]))
    return row


def measure_step(gpu, optimizer: str, batch: int = BATCH, steps: int = STEPS) -> dict:
    """A LeNet-5 step (zero_grad, forward, loss, backward, update) on cuda tensors."""
    import minigrad
    import minigrad.nn.functional as F
    from minigrad.models import LeNet5

    minigrad.manual_seed(0)
    model = LeNet5().to("cuda")
    opt = _optimizer(optimizer, model.parameters())
    x = minigrad.randn(batch, 1, 28, 28).to("cuda")
    y = minigrad.randint(0, 10, (batch,)).to("cuda")

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(WARMUP):
        step()
    counts = []
    for _ in range(steps):
        with gpu.measure() as c:
            step()
        counts.append(c)
    return _summary(counts, f"lenet5 step, {optimizer}, batch {batch}")


def measure_loop(gpu, optimizer: str = "adam", batch: int = BATCH, steps: int = STEPS) -> dict:
    """``train_one_epoch`` over ``steps`` CPU batches: per step, and the whole epoch
    (whose end reads the loss and accuracy back once)."""
    import minigrad
    from minigrad.data import DataLoader, TensorDataset
    from minigrad.models import LeNet5
    from minigrad.train import train_one_epoch

    minigrad.manual_seed(0)
    model = LeNet5().to("cuda")
    opt = _optimizer(optimizer, model.parameters())
    n = batch * steps
    data = TensorDataset(minigrad.randn(n, 1, 28, 28), minigrad.randint(0, 10, (n,)))
    loader = DataLoader(data, batch_size=batch)
    train_one_epoch(model, loader, opt)  # warm-up: the pool learns the epoch's sizes
    per_step = []

    def on_step(stats):
        per_step.append(gpu.total.copy())

    with gpu.measure() as epoch:
        start = gpu.total.copy()
        train_one_epoch(model, loader, opt, on_step=on_step)
    marks = [start] + per_step
    from minigrad.testing.fake_gpu import Counts
    steps_counts = []
    for a, b in zip(marks, marks[1:]):
        c = b - a
        steps_counts.append(c)
    row = _summary(steps_counts or [Counts()], f"train_one_epoch, {optimizer}, batch {batch}")
    row["epoch_device_to_host"] = epoch.device_to_host
    row["epoch_syncs"] = epoch.syncs
    row["host_ms"] = epoch.host_s * 1e3 / max(1, steps)
    return row


def run(log: Callable[[str], None] = lambda m: None, batch: int = BATCH,
        steps: int = STEPS) -> list[dict]:
    from minigrad.testing.fake_gpu import fake_gpu
    rows = []
    with fake_gpu() as gpu:
        for opt in OPTIMIZERS:
            rows.append(measure_step(gpu, opt, batch, steps))
            log(_line(rows[-1]))
        rows.append(measure_loop(gpu, "adam", batch, steps))
        log(_line(rows[-1]))
    return rows


def _line(row: dict) -> str:
    return (f"{row['case']}: {row['launches']} launches, {row['allocs']} allocations "
            f"({row['alloc_bytes'] / 1e6:.1f} MB; {row['driver_allocs']} from the driver), "
            f"{row['driver_frees']} driver frees, {row['host_to_device']} host-to-device and "
            f"{row['device_to_host']} device-to-host copies, {row['syncs']} syncs; host "
            f"{row['host_ms']:.2f} ms per step")


def main(argv: list[str] | None = None) -> int:
    """``python -m minigrad.bench.host_cost [--json]``: the rows, as text or JSON."""
    argv = sys.argv[1:] if argv is None else argv
    rows = run(log=(lambda m: None) if "--json" in argv else print)
    if "--json" in argv:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
