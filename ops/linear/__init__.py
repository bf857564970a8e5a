"""linear: the declaration of the fully connected layer (``F.linear``, ``nn.Linear``).

For ``x`` (*, in_features), ``w`` (out_features, in_features) and ``b``
(out_features,) or None, the leading dimensions fold into N = prod(*) rows: ``X`` is x
as an (N, in) matrix (``x.reshape(g.x2)``: a view of a C-contiguous x), and::

    out[n, o] = b[o] + sum_i X[n, i] * w[o, i]       out = X @ w^T + b     (N, out)

given back in the shape (*, out_features). The gradients, with ``G = dL/d out`` as
(N, out_features)::

    dL/dx = G @ w              (N, in), back in x's shape
    dL/dw = G^T @ X            (out, in)
    dL/db = sum_n G[n, :]      (out,)      the sum of G's rows

An empty batch (N == 0) has nothing to sum: dw and db are zeros, as in PyTorch.

It is one op, not ``matmul(x, w.transpose(0, 1)) + b``, so that the kernels read
``w^T`` in place (swapped strides) and add the bias as they store each output. On cuda,
where tensors hold C-contiguous arrays, the composition copied the transpose in forward
and again in backward and ran the addition as a kernel of its own. The products are
matmul's: every implementation here runs its matmul rung's kernels (``naive`` on
``naive``, ``numba`` on ``numba``, cuda ``blocked`` on ``blocked``, ...).

Differences from PyTorch: weight must be 2-D (PyTorch also takes a 1-D weight) and bias
exactly (out_features,) (PyTorch takes any bias that broadcasts to the output); shape
errors are ValueError (PyTorch: RuntimeError).

:func:`declare` checks the shapes once and returns the :class:`Geometry` every kernel
reads (N, in_features, out_features, whether there is a bias, the output shape).

This module imports only the standard library and ops/_args.py: the layers above
import it, never the other way round.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from .._args import shape as _shape
from ...errors import RuntimeValueError  # PyTorch's RuntimeError, also a ValueError

IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"),
                   # One file, cuda/versions.py, holds the three (its VERSIONS[name]).
                   "cuda": {"naive": "versions", "tiled": "versions", "blocked": "versions"}}
# As matmul's (ops/matmul/__init__.py says why numba beats OpenBLAS inside a training
# step): the products are matmul's kernels.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "blocked"}
# The docs page that teaches this folder's ops (the site's nav and op index list it).
DOCS = "ops/matmul.md"

Shape = tuple[int, ...]


def check_linear_args(
    input_shape: Shape, weight_shape: Shape, bias_shape: Shape | None
) -> Shape:
    """Check ``linear(input, weight, bias)``'s shapes; return the output shape.

    input_shape: (*, in_features), at least 1-D; weight_shape: (out_features,
    in_features); bias_shape: (out_features,) or None. Output: (*, out_features).

    Stricter than PyTorch, which also takes a 1-D weight and any bias that broadcasts
    to the output. Raises ValueError naming the argument and both shapes (TypeError
    for something that is not a shape).
    """
    x_shape = _shape(input_shape, "input")
    w_shape = _shape(weight_shape, "weight")
    if len(x_shape) == 0:
        raise RuntimeValueError(
            "linear: input: expected a tensor of shape (*, in_features), at least 1-D, "
            f"got a 0-D tensor (shape {x_shape})"
        )
    if len(w_shape) != 2:
        raise RuntimeValueError(
            "linear: weight: expected a 2-D tensor (out_features, in_features), "
            f"got shape {w_shape}"
        )
    out_features, in_features = w_shape
    if x_shape[-1] != in_features:
        raise RuntimeValueError(
            f"linear: in_features mismatch: input of shape {x_shape} has "
            f"{x_shape[-1]} features (last dimension) but weight of shape {w_shape} "
            f"expects in_features={in_features} (weight.shape[1])"
        )
    if bias_shape is not None:
        b_shape = _shape(bias_shape, "bias")
        if b_shape != (out_features,):
            raise RuntimeValueError(
                f"linear: bias: expected shape ({out_features},) to match "
                f"out_features=weight.shape[0], got shape {b_shape}"
            )
    return x_shape[:-1] + (out_features,)


class Geometry(NamedTuple):
    """``linear(input, weight, bias)``'s shapes, worked out once for the kernels of every
    device. linear has no attributes: :meth:`attrs` is ``{}``."""

    x_shape: Shape  # input, (*, in_features)
    w_shape: Shape  # weight, (out_features, in_features)
    has_bias: bool  # bias given (out_features,), or None
    N: int  # rows: prod(*), 1 for a 1-D input
    in_features: int
    out_features: int
    out_shape: Shape  # (*, out_features)

    @property
    def x2(self) -> Shape:
        """Input as the (N, in_features) matrix of its rows."""
        return (self.N, self.in_features)

    @property
    def out2(self) -> Shape:
        """Output (and its gradient) as the (N, out_features) matrix of its rows."""
        return (self.N, self.out_features)

    def attrs(self) -> dict[str, Any]:
        return {}


def declare(
    input_shape: Shape, weight_shape: Shape, bias_shape: Shape | None
) -> Geometry:
    """:func:`check_linear_args` (same checks and messages), returning the
    :class:`Geometry`."""
    out_shape = check_linear_args(input_shape, weight_shape, bias_shape)
    x_shape = _shape(input_shape, "input")
    out_features, in_features = w_shape = _shape(weight_shape, "weight")
    return Geometry(x_shape, w_shape, bias_shape is not None, math.prod(x_shape[:-1]),
                    in_features, out_features, out_shape)
