"""NumPy array helpers shared by several ops' CPU kernels (written once, never copied
into an op's folder). The declarations never import this module: they stay
standard-library only; the kernels that work on NumPy arrays do."""
from __future__ import annotations

import numpy as np


def sum_to(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: sum ``grad`` over the axes that broadcasting added or stretched.

    grad: the gradient in the broadcast shape; shape: the operand's shape, which
    broadcasts to ``grad.shape``. Leading axes ``grad`` has beyond ``len(shape)`` and
    axes where ``shape`` is 1 but ``grad`` is not are summed (the chain rule adds the
    gradient of every use of a stretched element). ``grad`` itself when the shapes are
    already equal.
    """
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1)
    return grad.sum(axis=axes, keepdims=True).reshape(shape)
