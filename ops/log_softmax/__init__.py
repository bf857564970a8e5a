"""log_softmax: the declaration (argument checks: those of softmax).

The logarithm of softmax along one dimension, as ``torch.nn.functional.log_softmax``,
computed directly rather than as ``log(softmax(x))`` (which gives -inf, then NaN
gradients, once a probability underflows to 0). For each row ``x`` along ``dim``::

    log_softmax(x)_i = x_i - logsumexp(x)
    logsumexp(x)     = m + log(sum_j exp(x_j - m)),      m = max_j x_j

Subtracting the row maximum keeps every exponent <= 0 and the sum >= 1, so its log is
finite and small: logits of 1e4 give exact, finite results.

Backward, with y = log_softmax(x) and g the gradient with respect to y
(dy_i/dx_j = delta_ij - softmax(x)_j)::

    dL/dx_i = g_i - exp(y_i) * sum_j g_j

It only needs the saved output y (exp(y) is the softmax).

Shapes: any input (0-d included), output of the same shape and dtype. The argument
checks are softmax's (:func:`minigrad.ops.softmax.check_args`), written once there.
"""

from __future__ import annotations

from ..softmax import check_args

__all__ = ["IMPLEMENTATIONS", "DEFAULT", "check_args"]

IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"), "cuda": ("row", "block", "warp")}
# numba (parallel, fused, with a vectorised exp) is the fastest, forward and backward;
# without numba installed the registry falls back to numpy.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "warp"}
