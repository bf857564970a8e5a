"""log_softmax on CUDA, one thread per row: three passes over the row (max, sum of exp,
write), the row's max and sum in registers.

The kernels are in _kernels.py (shared with the other two versions, which differ only
in how rows map onto threads: ops/softmax/cuda/_rows.py); the plan of every version is
in __init__.py.
"""
from __future__ import annotations

from ...softmax.cuda._rows import ROW
from ._kernels import run_backward, run_forward


def forward(x, *, dim: int):
    """x (any shape, device array) -> log_softmax along ``dim``, same shape and dtype."""
    return run_forward(ROW, x, dim)


def backward(grad_out, inputs: tuple, out, needs_input_grad: tuple[bool], *, dim: int) -> tuple:
    """dL/dx = g - exp(y) * sum(g, dim), from the saved output y."""
    if not needs_input_grad[0]:
        return (None,)
    return (run_backward(ROW, grad_out, out, dim),)
