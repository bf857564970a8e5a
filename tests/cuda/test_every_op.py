"""Every op an op folder declares cases for, every CUDA implementation of it, against
the CPU's NumPy implementation (values and gradients, float64 and float32) with
minigrad.testing.check_op. The finite-difference check, which costs a forward pass per
input element, runs on tiny inputs in test_gradcheck.py instead: under the simulator
every GPU thread is a Python thread."""
import pytest

from minigrad import dispatch
from minigrad.testing import check_op
from minigrad.testing.cases import builtin_cases


def _pairs():
    for op in sorted(builtin_cases()):
        if not dispatch.implementations(op, "cpu"):
            continue
        for impl in dispatch.implementations(op, "cuda"):
            yield pytest.param(op, impl, id=f"{op}-{impl}")


@pytest.mark.parametrize("op,impl", list(_pairs()))
def test_check_op_cuda(op, impl):
    check_op(op, "cuda", implementations=[impl], gradcheck=False)
