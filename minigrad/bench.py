"""Benchmarks: every registered implementation of each CNN op at fixed workloads.

``minigrad bench`` (or ``python -m minigrad bench``) times forward and backward apart:
one warm-up call (reported as "first call", which includes any compilation), then the
median of ``repeats`` timed calls. Slow implementations (the sequential "naive"
baseline) run on a reduced batch and are scaled linearly to the full one; such rows
are marked. Speed is measured here, never asserted in tests.
"""
from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

import minigrad
import minigrad.nn.functional as F


@dataclass
class Workload:
    name: str
    op: str
    batch: int
    # build(batch) -> (forward closure returning the output Tensor, rng-made grad_out)
    build: Callable[[int], Callable]
    # batch used for implementations too slow for the full one
    reduced_batch: int


def _rng():
    return np.random.default_rng(0)


def _param(rng, *shape):
    return minigrad.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)


def _conv(cin, hw, cout, k, padding):
    def build(batch):
        rng = _rng()
        x = _param(rng, batch, cin, hw, hw)
        w = _param(rng, cout, cin, k, k)
        b = _param(rng, cout)
        return lambda: F.conv2d(x, w, b, padding=padding)
    return build


def _pool(c, hw):
    def build(batch):
        x = minigrad.tensor(_rng().permutation(batch * c * hw * hw).reshape(batch, c, hw, hw)
                            .astype(np.float32), requires_grad=True)
        return lambda: F.max_pool2d(x, 2)
    return build


def _cross_entropy(classes):
    def build(batch):
        rng = _rng()
        logits = _param(rng, batch, classes)
        target = minigrad.tensor(rng.integers(0, classes, size=batch))
        return lambda: F.cross_entropy(logits, target)
    return build


def _matmul(k, m):
    def build(batch):
        rng = _rng()
        a, b = _param(rng, batch, k), _param(rng, k, m)
        return lambda: a @ b
    return build


LENET_WORKLOADS = [
    Workload("conv 128x1x28x28 * 6x1x5x5 p2", "conv2d", 128, _conv(1, 28, 6, 5, 2), 2),
    Workload("conv 128x6x14x14 * 16x6x5x5", "conv2d", 128, _conv(6, 14, 16, 5, 0), 2),
    Workload("max_pool2d 2 on 128x6x28x28", "max_pool2d", 128, _pool(6, 28), 8),
    Workload("cross_entropy 128x10", "cross_entropy", 128, _cross_entropy(10), 128),
    Workload("matmul 128x400 @ 400x120", "matmul", 128, _matmul(400, 120), 4),
]

# Implementations that run on the reduced batch.
SLOW = {"naive"}


def _time_once(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def time_workload(w: Workload, impl: str, repeats: int) -> dict:
    """Median forward and backward seconds at the full batch (scaled if reduced)."""
    batch = w.reduced_batch if impl in SLOW else w.batch
    forward = w.build(batch)
    with minigrad.use(**{w.op: impl}):
        fwd, bwd = [], []
        first = None
        for i in range(repeats + 1):
            tf, out = _time_once(forward)
            grad = minigrad.ones(*out.shape) if out.ndim else None
            tb, _ = _time_once(lambda: out.backward(grad))
            if i == 0:
                first = tf + tb  # warm-up: includes any one-off cost (JIT compilation)
            else:
                fwd.append(tf)
                bwd.append(tb)
    scale = w.batch / batch
    return {"workload": w.name, "op": w.op, "impl": impl, "batch": batch, "scale": scale,
            "forward_ms": statistics.median(fwd) * scale * 1e3,
            "backward_ms": statistics.median(bwd) * scale * 1e3,
            "first_call_ms": first * 1e3}


def machine() -> str:
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, NumPy {np.__version__}")


def run(repeats: int = 5, workloads=None) -> list[dict]:
    rows = []
    for w in workloads or LENET_WORKLOADS:
        for impl in minigrad.implementations(w.op, "cpu"):
            rows.append(time_workload(w, impl, repeats if impl not in SLOW else max(3, repeats // 2)))
    return rows


def markdown(rows: list[dict]) -> str:
    base = {r["workload"]: r for r in rows if r["impl"] == "naive"}
    lines = ["| workload | impl | forward ms | backward ms | fwd+bwd ms | speedup vs naive | first call ms |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        total = r["forward_ms"] + r["backward_ms"]
        ref = base.get(r["workload"])
        speedup = f"{(ref['forward_ms'] + ref['backward_ms']) / total:.1f}x" if ref else "-"
        mark = f" (batch {r['batch']}, x{r['scale']:g})" if r["scale"] != 1 else ""
        lines.append(f"| {r['workload']} | {r['impl']}{mark} | {r['forward_ms']:.2f} | "
                     f"{r['backward_ms']:.2f} | {total:.2f} | {speedup} | {r['first_call_ms']:.1f} |")
    return "\n".join(lines)


def main(repeats: int = 5) -> int:
    print(f"machine: {machine()}")
    print(markdown(run(repeats)))
    return 0
