"""softmax, log_softmax and cross_entropy: one family, declared here (argument checks,
normalisation, the geometry) and computed by one kernel library per rung
(naive.py, numpy.py, numba.py, cuda/rows.py), each holding all three ops.

softmax, along one dimension, as ``torch.nn.functional.softmax``. For each slice ``x``
taken along ``dim`` (a "row" of n values)::

    softmax(x)_i = exp(x_i) / sum_j exp(x_j)
                 = exp(x_i - m) / sum_j exp(x_j - m),      m = max_j x_j

The second form is the one computed: subtracting the row maximum changes nothing
mathematically but keeps every exponent <= 0, so nothing overflows (logits of 1e4
are fine) and the largest term is exactly 1, so the sum never underflows to 0.
Backward, with y = softmax(x) and g the gradient with respect to y (the Jacobian is
dy_i/dx_j = y_i (delta_ij - y_j))::

    dL/dx_i = y_i * (g_i - sum_j g_j y_j)

log_softmax, as ``torch.nn.functional.log_softmax``, computed directly rather than as
``log(softmax(x))`` (which gives -inf, then NaN gradients, once a probability
underflows to 0)::

    log_softmax(x)_i = x_i - logsumexp(x)
    logsumexp(x)     = m + log(sum_j exp(x_j - m)),      m = max_j x_j

The shifted sum is >= 1, so its log is finite and small: logits of 1e4 give exact,
finite results. Backward, with y = log_softmax(x) (dy_i/dx_j = delta_ij - softmax(x)_j)::

    dL/dx_i = g_i - exp(y_i) * sum_j g_j

Both need only their saved output y (for log_softmax exp(y) is the softmax), not the
input. Shapes: any input of shape (d0, ..., d_{k-1}) (k >= 0); the output has the same
shape and dtype. A 0-d input is a single row of one element (its softmax is 1), as
PyTorch does. The two share :func:`declare_softmax` and its :class:`SoftmaxGeometry`.

cross_entropy: softmax cross-entropy between logits and class indices, fused
(log-softmax and the negative log-likelihood in one kernel), as
``torch.nn.functional.cross_entropy`` for 2-D inputs. Shapes: logits x (N, C), target
t (N,) int64 class indices, optional per-class weight w (C,); w_c = 1 when no weight
is given. With the log-probabilities of sample i (the log-sum-exp above)::

    log p_ic = x_ic - lse_i,      lse_i = m_i + log(sum_c exp(x_ic - m_i)),  m_i = max_c x_ic

and the label-smoothing factor eps (``label_smoothing``), the per-sample loss is::

    loss_i = (1 - eps) * w_{t_i} * (-log p_{i,t_i})  +  eps / C * sum_c w_c * (-log p_ic)

(with eps = 0 it is the weighted NLL; the second term is the cross-entropy against the
uniform distribution, weighted per class as PyTorch does). Samples whose target equals
``ignore_index`` have loss 0 and count nowhere. Reductions::

    "none": (loss_i)_i, shape (N,)
    "sum":  sum_i loss_i, shape ()
    "mean": sum_i loss_i / sum_{i not ignored} w_{t_i}, shape ()

so "mean" is a weighted mean: it divides by the total weight of the counted targets,
not by N; it is NaN when nothing is counted (all targets ignored, or N = 0), as in
PyTorch.

Backward (with respect to the logits only; the weight is not differentiated): with
p_i = softmax(x_i) and s_i the scale of sample i (grad_out_i for "none", grad_out for
"sum", grad_out / sum w_{t} for "mean"; 0 for ignored samples)::

    dL/dx_ij = s_i * ( a_i * p_ij - (1 - eps) * w_{t_i} * [j == t_i] - eps / C * w_j )
    a_i      = (1 - eps) * w_{t_i} + eps / C * sum_c w_c

which without weights is the familiar ``softmax - smoothed one-hot``. For "mean" with a
zero total weight, the counted samples' gradients are NaN (the ignored ones 0), as in
PyTorch. Its arguments are checked by :func:`declare_cross_entropy`, which makes a
:class:`CrossEntropyGeometry`; the target's values by the op ``check_class_indices``
(ops/check_class_indices), which the front end runs on every device.

This module imports only NumPy and the standard library: the layers above import it,
never the other way round.
"""

from __future__ import annotations

import operator
from typing import Any, NamedTuple

import numpy as np

from .._args import shape as _shape
from ...errors import IndexValueError

OPS = ("softmax", "log_softmax", "cross_entropy")
# Every rung's file holds the three ops (KERNELS, or VERSIONS[name] for the CUDA
# versions, which differ only in how rows map onto threads and share cuda/rows.py).
IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"),
                   "cuda": {"row": "rows", "block": "rows", "warp": "rows"}}
# numba (parallel, fused, with a vectorised exp) is the fastest, forward and backward;
# without numba installed the registry falls back to numpy.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "warp"}
# The docs page that teaches this folder's ops (the site's nav and op index list it).
DOCS = "ops/cross_entropy.md"

REDUCTIONS = ("none", "mean", "sum")
_INT64 = (-(2**63), 2**63 - 1)


def kernels_of(namespace: dict[str, Any]) -> dict[str, tuple]:
    """A rung's ``KERNELS``: op -> (``<op>_forward``, ``<op>_backward``) from its module
    namespace, for each op of the family, so every rung's functions share those names."""
    return {op: (namespace[f"{op}_forward"], namespace[f"{op}_backward"]) for op in OPS}


# --- softmax and log_softmax -------------------------------------------------------------


class SoftmaxGeometry(NamedTuple):
    """One softmax / log_softmax call: the input's shape, the normalised ``dim``, and
    the input viewed (without copying) as (outer, n, inner) with ``dim`` in the middle:
    outer = prod(shape[:dim]), n = shape[dim], inner = prod(shape[dim+1:]); a 0-d input
    is one row of one element. Row r = o * inner + c holds the n values
    ``o * n * inner + k * inner + c`` of the flat array."""

    shape: tuple[int, ...]
    dim: int
    outer: int
    n: int
    inner: int

    @property
    def out_shape(self) -> tuple[int, ...]:
        """The input's shape."""
        return self.shape

    @property
    def rows(self) -> int:
        """How many rows of n values: outer * inner."""
        return self.outer * self.inner

    def attrs(self) -> dict[str, Any]:
        """The attributes under PyTorch's names (what graph pictures show)."""
        return {"dim": self.dim}


def declare_softmax(input_shape: tuple[int, ...], dim: Any) -> SoftmaxGeometry:
    """Check the ``dim`` of softmax / log_softmax and return their
    :class:`SoftmaxGeometry`, whose ``attrs()`` is ``{"dim": d}`` with
    ``0 <= d < max(ndim, 1)``.

    input_shape: any shape, 0-d included (a 0-d input accepts dim 0 or -1, as in
    PyTorch). dim: an int in ``[-ndim, ndim - 1]``; negative values count from the end.

    Raises TypeError if ``dim`` is not an int (``bool`` and ``None`` are refused:
    PyTorch's implicit choice of dim when it is None is deprecated), and, naming
    ``dim`` and the valid range if it is out of range, PyTorch's IndexError that is also
    the ValueError minigrad raised before (minigrad.errors.IndexValueError).
    """
    shape = _shape(input_shape, "input")
    if isinstance(dim, bool) or dim is None:
        raise TypeError(f"dim: expected an int, got {type(dim).__name__}")
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"dim: expected an int, got {type(dim).__name__}") from None
    # A 0-d tensor behaves as if it had one dimension of size 1.
    ndim = max(len(shape), 1)
    if not -ndim <= d < ndim:
        raise IndexValueError(
            f"dim: out of range, expected an int in [{-ndim}, {ndim - 1}] for an input "
            f"of shape {shape} ({len(shape)}-D), got {d}"
        )
    d %= ndim
    outer = inner = 1
    for s in shape[:d]:
        outer *= s
    for s in shape[d + 1:]:
        inner *= s
    return SoftmaxGeometry(shape, d, outer, shape[d] if shape else 1, inner)


# log_softmax takes softmax's arguments, checked the same way.
declare_log_softmax = declare_softmax


# --- cross_entropy -----------------------------------------------------------------------


class CrossEntropyGeometry(NamedTuple):
    """One cross_entropy call: N samples of C logits, the normalised attributes, and
    whether a class weight is given."""

    N: int
    C: int
    ignore_index: int
    reduction: str  # "none", "mean" or "sum"
    label_smoothing: float  # eps in [0, 1]
    has_weight: bool

    @property
    def out_shape(self) -> tuple[int, ...]:
        """(N,) for reduction "none", else ()."""
        return (self.N,) if self.reduction == "none" else ()

    @property
    def ignorable(self) -> bool:
        """Whether an int64 target can equal ``ignore_index`` (one outside int64 matches
        no target, and the kernels take int64 arguments)."""
        return _INT64[0] <= self.ignore_index <= _INT64[1]

    def attrs(self) -> dict[str, Any]:
        """The attributes under PyTorch's names (what graph pictures show)."""
        return {
            "ignore_index": self.ignore_index,
            "reduction": self.reduction,
            "label_smoothing": self.label_smoothing,
        }


def declare_cross_entropy(
    input_shape: tuple[int, ...],
    target_shape: tuple[int, ...],
    target_dtype: str,
    weight_shape: tuple[int, ...] | None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> CrossEntropyGeometry:
    """Check cross_entropy's arguments and return the :class:`CrossEntropyGeometry` the
    kernels receive; its ``attrs()`` is ``{"ignore_index": int, "reduction": str,
    "label_smoothing": float}``.

    input_shape: the logits' shape, (N, C) with C >= 1. target_shape: (N,).
    target_dtype: the target's dtype name ("int64" is the only one accepted).
    weight_shape: (C,) or None. ignore_index: an int; reduction: "none", "mean" or
    "sum"; label_smoothing: a float in [0, 1].

    Raises TypeError for a wrong type (a non-integer target included) and ValueError
    for a wrong shape or value, naming the argument and what was expected.

    The kernels see (N, C) logits with (N,) class indices only: the front end
    (minigrad.nn.functional.cross_entropy) folds PyTorch's unbatched (C,) and
    (N, C, d1, ...) inputs into that form first. Differences from PyTorch: no
    class-probability targets; a label_smoothing below 0 or NaN is refused (PyTorch accepts them
    silently); C = 0 is refused; ValueError replaces PyTorch's RuntimeError/IndexError.
    The target's values are checked separately, by the op ``check_class_indices``.
    """
    input_shape = _shape(input_shape, "input")
    target_shape = _shape(target_shape, "target")
    if len(input_shape) != 2:
        raise ValueError(
            f"input: expected a 2-D tensor of logits (N, C), got shape {input_shape} (the "
            "front end folds (C,) and (N, C, d1, ...) inputs into (N, C) first)"
        )
    n, c = input_shape
    if c < 1:
        raise ValueError(f"input: expected at least one class (C >= 1), got shape {input_shape}")
    if str(target_dtype) != "int64":
        raise TypeError(
            f"target must be an integer (int64) tensor of class indices, got dtype "
            f"{target_dtype}; class-probability targets are not supported"
        )
    if target_shape != (n,):
        raise ValueError(
            f"target: expected shape ({n},) to match the input batch size N={n} of input "
            f"shape {input_shape}, got shape {target_shape}"
        )
    if weight_shape is not None:
        weight_shape = _shape(weight_shape, "weight")
        if weight_shape != (c,):
            raise ValueError(
                f"weight: expected shape ({c},), one weight per class of input shape "
                f"{input_shape}, got shape {weight_shape}"
            )

    if isinstance(ignore_index, bool):
        raise TypeError("ignore_index: expected an int, got bool")
    try:
        ignore_index = operator.index(ignore_index)
    except TypeError:
        raise TypeError(
            f"ignore_index: expected an int, got {type(ignore_index).__name__}"
        ) from None

    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"reduction: expected 'none', 'mean' or 'sum', got {reduction!r}")

    real = (int, float, np.integer, np.floating)
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, real):
        raise TypeError(
            f"label_smoothing: expected a float, got {type(label_smoothing).__name__}"
        )
    label_smoothing = float(label_smoothing)
    # Written so that NaN fails too (every comparison with NaN is False).
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing: expected a float in [0, 1], got {label_smoothing}")

    return CrossEntropyGeometry(n, c, ignore_index, reduction, label_smoothing,
                                weight_shape is not None)
