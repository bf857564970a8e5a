"""log_softmax on CUDA, one block per row: max and sum reduced in shared memory (a tree).
At most ``ops._cuda.MAX_BLOCKS`` blocks: past that many rows each block loops over
several, one after the other.

The kernels are in _kernels.py (shared with the other two versions, which differ only
in how rows map onto threads: ops/softmax/cuda/_rows.py); the plan of every version is
in __init__.py.
"""
from __future__ import annotations

from ...softmax.cuda._rows import BLOCK
from ._kernels import run_backward, run_forward


def forward(x, *, dim: int):
    """x (any shape, device array) -> log_softmax along ``dim``, same shape and dtype."""
    return run_forward(BLOCK, x, dim)


def backward(grad_out, inputs: tuple, out, needs_input_grad: tuple[bool], *, dim: int) -> tuple:
    """dL/dx = g - exp(y) * sum(g, dim), from the saved output y."""
    if not needs_input_grad[0]:
        return (None,)
    return (run_backward(BLOCK, grad_out, out, dim),)
