"""What a GPU training step asks of the host, counted over a fake GPU (no GPU needed):
numba-cuda's real launch path, device memory that is host memory, launches that run
nothing (minigrad.testing.fake_gpu). The counts are what the GPU would be asked to do,
so they hold on a real GPU too; the host times are this machine's.

Guards: the pooled allocator (no driver allocation or free in steady state), no copy to
the host and no wait inside a step, the training loop's single read per progress
refresh, the launch budget of a LeNet-5 step, and the launch-shape defects the review
found (grid limits, conv2d direct's few-thread backward, repeated index copies).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numba import config

import minigrad
import minigrad.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(bool(config.ENABLE_CUDASIM),
                                reason="needs the real numba.cuda target")

# Kernel launches of one LeNet-5 training step at batch 256 (zero_grad, forward, loss,
# backward, update): the count this code makes. Lower it when a change saves launches;
# a change that adds some must say why here.
# 37: cross_entropy's class-index check (ops/check_class_indices) is a launch of its own,
# so that a bad label raises on cuda as on the CPU.
STEP_LAUNCHES = {"sgd-momentum": 37, "adam": 37}


@pytest.fixture(scope="module")
def host_cost():
    """``python -m minigrad.bench.host_cost --json`` in its own process."""
    env = {**os.environ}
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    proc = subprocess.run([sys.executable, "-m", "minigrad.bench.host_cost", "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {row["case"].split(",")[0] + ":" + row["case"].split(",")[1].strip(): row
            for row in json.loads(proc.stdout.splitlines()[-1])}


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["sgd-momentum", "adam"])
def test_a_lenet5_step_stays_on_the_gpu(host_cost, optimizer):
    row = host_cost[f"lenet5 step:{optimizer}"]
    print(row)
    # The pool serves every allocation of a step once it has seen one.
    assert row["driver_allocs"] == 0 and row["driver_frees"] == 0, row
    # Nothing comes back to the host, nothing waits for the GPU, nothing goes over.
    assert row["device_to_host"] == 0 and row["syncs"] == 0 and row["blocking"] == 0, row
    assert row["host_to_device"] == 0, row
    assert row["launches"] <= STEP_LAUNCHES[optimizer], row["kernels"]


@pytest.mark.slow
def test_the_training_loop_reads_back_once_per_refresh_not_per_step(host_cost):
    row = host_cost["train_one_epoch:adam"]
    print(row)
    assert row["device_to_host"] == 0 and row["syncs"] == 0, row  # per step
    assert row["driver_allocs"] == 0 and row["driver_frees"] == 0, row
    assert row["host_to_device"] == 2, row  # the batch: images and labels
    # The epoch's end reads the loss and accuracy sums, two scalars, and once the error
    # word that the steps' class-index checks could have written (minigrad.device).
    assert row["epoch_device_to_host"] == 3, row


# ---------------------------------------------------------------- defects, one by one


@pytest.fixture
def gpu():
    from minigrad.testing.fake_gpu import fake_gpu
    with fake_gpu() as g:
        yield g


def _cuda(*shape, grad=True):
    return minigrad.randn(*shape).to("cuda").requires_grad_(grad)


def test_gemm_conv2d_with_more_groups_than_grid_z_allows(gpu):
    # groups went into gridDim.z uncapped: 70000 > 65535 is CUDA_ERROR_INVALID_VALUE.
    x, w = _cuda(1, 70000, 3, 3), _cuda(70000, 1, 1, 1)
    with minigrad.use(conv2d="gemm"):
        F.conv2d(x, w, groups=70000).sum().backward()
    assert gpu.total.launches > 0


@pytest.mark.parametrize("impl", ["direct", "gemm", "tiled"])
def test_conv2d_weight_gradient_is_spread_over_the_gpu(gpu, impl):
    # LeNet-5's first layer at batch 256: 150 weights, 200,704 positions each. The
    # direct version used one thread per weight (150 threads, 200,704 terms each).
    x, w, b = _cuda(256, 1, 28, 28, grad=False), _cuda(6, 1, 5, 5), _cuda(6)
    with minigrad.use(conv2d=impl):
        out = F.conv2d(x, w, b, padding=2)
        start = len(gpu.launch_log)
        out.backward(minigrad.ones_like(out))
    threads = {}
    for name, grid, block in gpu.launch_log[start:]:
        if f"conv2d.cuda.{impl}" in name:
            n = int(np.prod(grid)) * int(np.prod(block))
            threads[name] = max(threads.get(name, 0), n)
    assert max(threads.values()) >= 64 * 150, threads


def test_advanced_indexing_copies_its_offsets_once(gpu):
    x = _cuda(5, 4)
    idx = np.array([0, 3, 3, 1])
    with gpu.measure() as c:
        x[idx].sum().backward()
    # The offsets were built on the host and sent to the device by forward and again
    # by backward.
    assert c.host_to_device == 1 and c.device_to_host == 0, c


def test_nll_loss_on_cuda_never_reads_back(gpu):
    x = _cuda(64, 10)
    y = minigrad.randint(0, 10, (64,)).to("cuda")
    w = minigrad.rand(10).to("cuda")
    F.nll_loss(F.log_softmax(x, 1), y, w).backward()  # builds the class indices once
    with gpu.measure() as c:
        for reduction in ("mean", "sum", "none"):
            loss = F.nll_loss(F.log_softmax(x, 1), y, w, reduction=reduction)
            loss.sum().backward()
    # Before: the labels came back (1 copy) and the coefficients and the index's
    # offsets went over (3 copies), every call.
    assert c.device_to_host == 0 and c.host_to_device == 0, c


# ---------------------------------------------------------------- the pool


def test_pool_size_classes():
    from minigrad.cuda_pool import size_class
    assert [size_class(n) for n in (0, 1, 512, 513, 1000, 2**20)] == [512, 512, 512, 1024, 1024,
                                                                      2**20]
    assert size_class(2**20 + 1) == 2 * 2**20 and size_class(5 * 2**20) == 6 * 2**20


def test_pool_reuses_freed_blocks_and_gives_them_back(gpu):
    import gc
    from minigrad import cuda_pool
    from numba import cuda

    minigrad.zeros(1, device="cuda")  # "cuda" in use: the allocator is chosen
    assert cuda_pool.allocator() == "pool"
    manager = cuda_pool.manager()
    a = cuda.device_array(1000, np.float32)  # a 4 KiB block
    del a
    gc.collect()
    with gpu.measure() as c:
        b = cuda.device_array(900, np.float32)  # the same size class: the freed block
    assert (c.allocs, c.driver_allocs) == (1, 0), c
    del b
    gc.collect()
    cached = manager.cached_bytes
    assert cached >= 4096
    with gpu.measure() as c:
        cuda_pool.empty_cache()
    assert c.driver_frees >= 1 and manager.cached_bytes == 0, c


# ---------------------------------------------------------------- the cached launch path


def test_cached_launches_pass_what_numba_would(gpu, monkeypatch):
    # ops._cuda.Kernel builds the driver's parameters itself after a combination's first
    # launch; with VERIFY_LAUNCHES each such launch is compared with numba-cuda's own
    # marshalling (the compile gate runs the whole drive that way too).
    from minigrad.ops import _cuda
    from minigrad.models import LeNet5

    checked = []
    verify = _cuda._verify
    monkeypatch.setattr(_cuda, "VERIFY_LAUNCHES", True)
    monkeypatch.setattr(_cuda, "_verify", lambda k, a, p: (checked.append(k), verify(k, a, p)))
    minigrad.manual_seed(0)
    model = LeNet5().to("cuda")
    opt = minigrad.optim.Adam(model.parameters(), lr=1e-3)
    x, y = _cuda_t(8, 1, 28, 28), minigrad.randint(0, 10, (8,)).to("cuda")
    for _ in range(3):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    assert len(checked) >= 36  # the later steps' launches all took the cached path


def test_a_wrong_cached_parameter_is_caught(gpu, monkeypatch):
    from numba import cuda
    from minigrad.ops import _cuda

    @_cuda.kernel
    def k(out, n, scale):
        i = cuda.grid(1)
        if i < n:
            out[i] = scale

    out = cuda.device_array(4, np.float32)
    monkeypatch.setattr(_cuda, "VERIFY_LAUNCHES", True)
    k[1, 32](out, 4, np.float32(2))  # Numba's path; the combination is remembered
    k[1, 32](out, 4, np.float32(2))  # the cached path, verified
    monkeypatch.setattr(_cuda, "_pack_ctype", lambda ctype, v, out: out.append(ctype(v + 1)))
    k._cache.clear()
    k[1, 32](out, 4, np.float32(2))
    with pytest.raises(_cuda.LaunchMismatch, match="differ"):
        k[1, 32](out, 4, np.float32(2))


def _cuda_t(*shape):
    return minigrad.randn(*shape).to("cuda")
