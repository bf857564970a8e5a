"""The real-target compile gate: every CUDA kernel specialisation minigrad launches,
compiled for sm_80 and sm_90 by NVVM and assembled by ptxas, with no GPU.

The simulator tests (tests/cuda) check what the kernels compute, but the simulator runs
any Python, so a kernel real CUDA refuses passes there. Here the public API is driven
over a fake GPU (minigrad.testing.fake_gpu: numba-cuda's real dispatcher and compiler,
fake device memory, no kernel runs), and each launched specialisation is compiled for
real. See minigrad/bench/resources.py for what this can and cannot catch.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numba import config

import minigrad
from minigrad.bench.resources import find_ptxas

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(bool(config.ENABLE_CUDASIM), reason="needs the real numba.cuda target"),
]


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    """``minigrad bench --device cuda --resources`` in its own process (it patches
    numba-cuda's driver layer for its whole run), and the table it wrote."""
    out = tmp_path_factory.mktemp("resources")
    env = {**os.environ}
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    proc = subprocess.run(
        [sys.executable, "-m", "minigrad", "bench", "--device", "cuda", "--resources",
         "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    rows = []
    if (out / "resources.csv").exists():
        with open(out / "resources.csv", newline="") as f:
            rows = list(csv.DictReader(f))
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
    return proc.returncode, rows, tail, (out / "resources.md")


@pytest.mark.slow
def test_every_launched_kernel_compiles_for_sm80_and_sm90(gate):
    code, rows, tail, md = gate
    errors = [f"{r['kernel']} ({r['signature']}) sm_{r['cc']}: {r['error'][-300:]}"
              for r in rows if r["error"]]
    assert not errors, "\n".join(errors[:10])
    assert code == 0, tail  # failed calls, or a spill in a default kernel
    assert {r["cc"] for r in rows} == {"8.0", "9.0"}
    assert all(int(r["registers"]) > 0 for r in rows)
    print(md.read_text().splitlines()[8])  # the summary line


@pytest.mark.slow
def test_no_default_kernel_spills(gate):
    _, rows, _, _ = gate
    spills = [f"{r['kernel']} sm_{r['cc']}: {r['spill_stores']}/{r['spill_loads']} bytes"
              for r in rows if r["default"] == "True"
              and int(r["spill_stores"] or 0) + int(r["spill_loads"] or 0)]
    assert not spills, spills


@pytest.mark.slow
def test_float32_kernels_do_float32_arithmetic(gate):
    # An untyped Python literal next to a float32 value (relu's `x * 0`, a mean's
    # `/ count`) makes Numba compute in float64: slow on a GPU, and rounded twice.
    _, rows, _, _ = gate
    fp64 = sorted({f"{r['kernel']} ({r['signature'][:60]}): {r['fp64_in_fp32']}"
                   for r in rows if int(r["fp64_in_fp32"] or 0)})
    assert not fp64, fp64


@pytest.mark.slow
def test_max_pool2d_index_maths_is_32_bit(gate):
    # 64-bit integer division is a long instruction sequence on a GPU; max_pool2d's
    # kernels decoded flat indices with it (108-119 registers for fused and direct).
    _, rows, _, _ = gate
    div64 = sorted({f"{r['kernel']}: {r['div64']}" for r in rows
                    if "max_pool2d" in r["kernel"] and int(r["div64"] or 0)})
    assert not div64, div64


@pytest.mark.slow
def test_the_drive_reaches_every_registered_cuda_implementation(gate):
    _, rows, _, _ = gate
    used = {label.split()[0] for r in rows for label in r["used_by"].split("; ") if label}
    want = set()
    for op in minigrad.dispatch.ops():
        for impl in minigrad.implementations(op, "cuda") if _has_cuda_impls(op) else ():
            want.add(f"{op}:{impl}")
    assert want, "no CUDA implementation registered?"
    assert want <= used, sorted(want - used)
    for model in ("lenet5:sgd-momentum", "lenet5:adam", "lenet5:adamw"):
        assert model in used
    # gemm conv2d, the default: each of its tile configurations in each dtype, forward
    # and both backward kernels (what failed on the real target before).
    from minigrad.ops.conv2d.cuda import gemm
    for kernel in ("_forward_kernel", "_grad_x_kernel", "_grad_w_kernel"):
        for dtype in ("float32", "float64"):
            n = sum(1 for r in rows if r["cc"] == "9.0" and f"gemm.{kernel}" in r["kernel"]
                    and r["signature"].startswith(f"array({dtype}"))
            assert n >= len(gemm.CONFIGS), (kernel, dtype, n)


def _has_cuda_impls(op: str) -> bool:
    try:
        return bool(minigrad.implementations(op, "cuda"))
    except (ValueError, RuntimeError):
        return False


# ---------------------------------------------------------------- the gate's own checks


def test_the_fake_gpu_compiles_what_the_simulator_would_accept_and_cuda_refuses():
    """The defect class of gemm's shared tiles: a shape computed inside the kernel is a
    run-time value to real CUDA (the simulator allocates it anyway)."""
    from numba import cuda, float32
    from minigrad.testing.fake_gpu import fake_gpu

    BM = 8

    @cuda.jit
    def computed(out):
        tile = cuda.shared.array((4, BM + 1), float32)
        tile[0, 0] = 1.0
        out[0] = tile[0, 0]

    SHAPE = (4, BM + 1)

    @cuda.jit
    def constant(out):
        tile = cuda.shared.array(SHAPE, float32)
        tile[0, 0] = 1.0
        out[0] = tile[0, 0]

    with fake_gpu():
        out = cuda.device_array(1, np.float32)
        constant[1, 32](out)
        with pytest.raises(Exception, match="shared.array"):
            computed[1, 32](out)


def test_the_fake_gpu_refuses_launches_over_cudas_limits():
    from numba import cuda
    from minigrad.testing.fake_gpu import FakeLaunchError, fake_gpu

    @cuda.jit
    def k(out):
        out[0] = 1

    with fake_gpu() as gpu:
        out = cuda.device_array(1, np.int32)
        k[(1, 1, 65535), 32](out)
        with pytest.raises(FakeLaunchError, match="gridDim.z"):
            k[(1, 1, 65536), 32](out)
        with pytest.raises(FakeLaunchError, match="1024"):
            k[1, (64, 32)](out)
        assert gpu.total.launches == 1


def test_the_fake_gpu_moves_bytes_and_counts_copies():
    from minigrad.testing.fake_gpu import fake_gpu

    with fake_gpu() as gpu:
        with gpu.measure() as c:
            t = minigrad.tensor([1.0, 2.0, 3.0], device="cuda")
            back = t.cpu().numpy()
        np.testing.assert_array_equal(back, [1.0, 2.0, 3.0])
        assert (c.host_to_device, c.device_to_host, c.launches) == (1, 1, 0)
