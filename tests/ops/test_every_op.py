"""Every op an op folder declares cases for (ops/<op>/cases.py), every CPU
implementation of it: minigrad.testing.check_op compares values and gradients with the
NumPy implementation in float64 and float32 and checks each against finite differences
in float64. A new op folder is tested here with no entry of its own."""
import pytest

from minigrad import dispatch
from minigrad.testing import check_op
from minigrad.testing.cases import builtin_cases


def _pairs():
    for op in sorted(builtin_cases()):
        for impl in dispatch.implementations(op, "cpu"):
            yield pytest.param(op, impl, id=f"{op}-{impl}")


@pytest.mark.parametrize("op,impl", list(_pairs()))
def test_check_op(op, impl):
    check_op(op, implementations=[impl])

