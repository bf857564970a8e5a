"""The CUDA kernels' tests (tests/cuda) under Numba's simulator, in a process of their own:
NUMBA_ENABLE_CUDASIM must be set before numba is first imported, and this process has
imported it already. On a machine with a GPU run them for real:
``MINIGRAD_TEST_CUDA=1 pytest tests/cuda``."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import minigrad

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_cuda_kernels_under_the_simulator():
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    env.pop("MINIGRAD_TEST_CUDA", None)
    # Two workers when pytest-xdist is there: the simulator is plain Python, CPU-bound.
    workers = ["-n", "2"] if _has_xdist() else []
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/cuda", "-q", "-p", "no:cacheprovider", *workers],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
    assert proc.returncode == 0, f"the simulator tests failed:\n{tail}"
    assert " passed" in proc.stdout and "skipped" not in proc.stdout.splitlines()[-1], tail
    print(proc.stdout.splitlines()[-1])


def _has_xdist() -> bool:
    try:
        import xdist  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(minigrad.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_cuda_without_a_gpu_says_so():
    with pytest.raises(RuntimeError, match="'cuda' is not available"):
        minigrad.tensor([1.0], device="cuda")
    with pytest.raises(RuntimeError, match="'cuda' is not available"):
        minigrad.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="'cuda' is not available"):
        minigrad.nn.Linear(2, 2).to("cuda")
    with pytest.raises(RuntimeError, match="'cuda' is not available"):
        minigrad.cuda.synchronize()
    assert minigrad.cuda.device_count() == 0
