"""matmul: the declaration (shape rules, normalisation, the geometry every kernel reads).

Matrix product with ``torch.matmul``'s shape rules. For matrices ``A`` (n, k) and
``B`` (k, m)::

    out[i, j] = sum_p A[i, p] * B[p, j]                       (n, m)

and the gradients, given ``G = dL/d out``::

    dL/dA = G @ B^T        (n, k)
    dL/dB = A^T @ G        (k, m)

The other cases reduce to that one:

- 1-D x 1-D: the dot product ``sum_p a[p] * b[p]``, a 0-d result;
- a 1-D ``input`` (k,) is treated as a row (1, k) and a 1-D ``other`` (k,) as a
  column (k, 1); the added dimension is removed from the result;
- N-D: the last two dimensions are the matrices, the leading ones are batch
  dimensions, broadcast against each other as in NumPy, so (2, 1, n, k) @ (3, k, m)
  gives (2, 3, n, m). An operand's gradient is summed over the batch dimensions it
  was broadcast along.

:func:`declare` checks the shapes once and works out the :class:`Geometry`: the
promoted shapes, the broadcast batch, n, k, m, the output shape, and the one
normalised form every kernel computes, ``a3`` (B, n, k) @ ``b3`` (B, k, m) ->
(B, n, m). 2-D x 2-D and (…, n, k) x (k, m) ("fold": ``other`` has no batch, so every
row of ``input`` meets the same matrix) are a single (1, B*n, k) x (1, k, m) product.
The CPU kernels make the 3-D views with ``_batched.py`` (NumPy); the CUDA ones turn
the geometry into strided launches (``cuda/_gemm.py``).

:func:`check_linear_args` (``linear``'s shapes) lives in the linear op's own
declaration, ``ops/linear/__init__.py``; it is imported here under its old name.

This module imports only the standard library and ops/ helpers: the layers above
import it, never the other way round.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

from ...errors import RuntimeValueError
from .._args import shape as _shape
# linear's shape checks were declared here before linear became an op of its own.
from ..linear import check_linear_args  # noqa: F401

IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"), "cuda": ("naive", "tiled", "blocked")}
# numba is the default although, timed alone, OpenBLAS's sgemm is ~25% faster at
# LeNet-5's 128x400 @ 400x120: inside a training step every switch between Numba's
# worker threads (conv, pooling, loss) and OpenBLAS's own pool costs more than that.
# Measured with `minigrad bench` (docs/benchmarks): LeNet-5 step 13.0 ms with every op
# on numba against 18.4 ms with numpy matmul; SeedCNN 6.3 against 8.7 ms.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "blocked"}
# The docs page that teaches this folder's ops (the site's nav and op index list it).
DOCS = "ops/matmul.md"

Shape = tuple[int, ...]


class Geometry(NamedTuple):
    """``matmul(input, other)``'s shapes, worked out once for the kernels of every
    device. matmul has no attributes: :meth:`attrs` is ``{}``."""

    a_shape: Shape  # input, as given
    b_shape: Shape  # other, as given
    a_full: Shape  # input promoted to >= 2-D: (k,) -> (1, k)
    b_full: Shape  # other promoted to >= 2-D: (k,) -> (k, 1)
    batch: Shape  # broadcast(a_full[:-2], b_full[:-2])
    n: int  # rows of each product
    k: int  # depth
    m: int  # columns
    fold: bool  # other has no real batch: input's batch folds into its rows
    a3: Shape  # the kernels' form of input, (B, n, k); (1, B*n, k) when folded
    b3: Shape  # of other, (B, k, m); (1, k, m) when folded
    out_shape: Shape  # (*batch, n, m), n (m) left out for a 1-D input (other)

    @property
    def out3(self) -> Shape:
        """The kernels' (B, n, m) form of the output and of its gradient."""
        return (self.a3[0], self.a3[1], self.b3[2])

    def attrs(self) -> dict[str, Any]:
        return {}


def _broadcast(s1: Shape, s2: Shape) -> Shape | None:
    """NumPy's broadcast of two shapes, or None where they do not broadcast."""
    rank = max(len(s1), len(s2))
    s1 = (1,) * (rank - len(s1)) + s1
    s2 = (1,) * (rank - len(s2)) + s2
    out = []
    for x, y in zip(s1, s2):
        if x != y and 1 not in (x, y):
            return None
        out.append(y if x == 1 else x)
    return tuple(out)


def declare(input_shape: Shape, other_shape: Shape) -> Geometry:
    """Check ``matmul(input, other)``'s shapes; return their :class:`Geometry`.

    input_shape, other_shape: at least 1-D. The last dimension of ``input`` must equal
    the first dimension of a 1-D ``other``, or the second-to-last of an N-D ``other``;
    batch dimensions (all but the last two) must broadcast.

    Raises RuntimeError, as PyTorch for the same inputs, and ValueError alike
    (minigrad.errors.RuntimeValueError), naming ``input`` and ``other`` with both
    shapes; TypeError for something that is not a shape.
    """
    return _declare(_shape(input_shape, "input"), _shape(other_shape, "other"))


@functools.lru_cache(maxsize=256)
def _declare(a_shape: Shape, b_shape: Shape) -> Geometry:
    # Cached: a training step multiplies the same shapes every time (errors are not).
    if len(a_shape) == 0 or len(b_shape) == 0:
        raise RuntimeValueError(
            "matmul: both input and other must be at least 1-D, got input of shape "
            f"{a_shape} ({len(a_shape)}-D) and other of shape {b_shape} "
            f"({len(b_shape)}-D); use * for a product with a scalar"
        )
    k_a = a_shape[-1]
    k_b = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    if k_a != k_b:
        where = "its only dimension" if len(b_shape) == 1 else "dimension -2"
        raise RuntimeValueError(
            f"matmul: input and other shapes cannot be multiplied: input's last "
            f"dimension ({k_a}, input of shape {a_shape}) must equal other's {where} "
            f"({k_b}, other of shape {b_shape})"
        )
    batch = _broadcast(a_shape[:-2], b_shape[:-2])
    if batch is None:
        raise RuntimeValueError(
            f"matmul: the batch dimensions of input {a_shape[:-2]} (shape {a_shape}) and "
            f"other {b_shape[:-2]} (shape {b_shape}) cannot be broadcast together"
        )
    a_full = (1,) + a_shape if len(a_shape) == 1 else a_shape
    b_full = b_shape + (1,) if len(b_shape) == 1 else b_shape
    n, k = a_full[-2:]
    m = b_full[-1]
    out_shape = batch
    if len(a_shape) > 1:
        out_shape += (n,)
    if len(b_shape) > 1:
        out_shape += (m,)
    fold = math.prod(b_full[:-2]) == 1
    size = math.prod(batch)
    if fold:
        # broadcast(batch_a, ones) is batch_a padded with ones: same product.
        a3, b3 = (1, size * n, k), (1, k, m)
    else:
        a3, b3 = (size, n, k), (size, k, m)
    return Geometry(a_shape, b_shape, a_full, b_full, batch, n, k, m, fold, a3, b3,
                    out_shape)
