"""pad: the declaration (``torch.nn.functional.pad``).

Pads (or, with negative amounts, crops) the last dims of a tensor. ``pad`` lists
(before, after) amounts from the LAST dim backwards: ``(left, right)`` pads dim -1,
``(left, right, top, bottom)`` dims -1 and -2, and so on. Per padded dim of size n,
with amounts (b, a), the output has ``m = n + b + a`` positions, and output position o
reads input position ``src(o)``::

    constant:  i = o - b;                  out = x[i] if 0 <= i < n else value
    reflect:   i = o - b; i < 0 -> -i; i >= n -> 2(n-1) - i     (the edge not repeated)
    replicate: i = clamp(o - b, 0, n - 1)                        (the edge repeated)
    circular:  i = lo + (o - max(b, 0)) mod p                    (wrapped around)

where for circular [lo, lo + p) is what is left of the dim after the negative amounts
crop it (lo = max(-b, 0), p = n - lo - max(-a, 0)): PyTorch crops first and wraps what
is left. Several dims: the maps apply per dim (the index is separable), so
``out[o_1, ..., o_k] = x[src_1(o_1), ..., src_k(o_k)]``, or ``value`` where any dim's
source is outside the input (constant mode).

Backward: ``grad_x[i] = sum of grad_out[o] over the o with src(o) = i`` (reflect,
replicate and circular read an element several times; constant at most once, and the
padding's value gets no gradient). Forward saves nothing: the geometry is enough.

:func:`declare` checks the arguments once, as PyTorch does, and returns the
:class:`Geometry` every kernel receives: ``forward(g, x) -> (out, None)``,
``backward(g, grad_out, None, needs_input_grad) -> (grad_x,)``.

This module imports only the standard library and ops' shared helpers.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from .._args import is_int

# numpy: one gather (np.take) per padded dim, its transpose by np.add.at; cuda direct:
# one thread per output element (forward), atomic adds into the input (backward).
IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("direct",)}
DEFAULT = {"cpu": "numpy", "cuda": "direct"}
# The docs page that teaches this folder's op (the site's nav and op index list it).
DOCS = "ops/pad.md"

MODES = ("constant", "reflect", "replicate", "circular")
# The mode as the kernels read it (an int: CUDA kernels branch on it per element).
MODE_CODES = {mode: code for code, mode in enumerate(MODES)}
# Non-constant modes: the pad lengths PyTorch accepts, per input rank (1-, 2- and 3-D
# padding, batched or not).
NON_CONSTANT_RANKS = {2: (2, 3), 4: (3, 4), 6: (4, 5)}


class PadError(RuntimeError, ValueError):
    """A pad that does not fit the input: PyTorch's RuntimeError, also a ValueError (the
    exception minigrad's other declarations raise for a wrong value)."""


class Axis(NamedTuple):
    """One dim's map from output to input positions (module docstring): n inputs, m
    outputs, ``before`` the amount before it (negative: cropped); for circular the kept
    window [lo, lo + period) and the shift max(before, 0). All Python ints."""

    n: int
    m: int
    before: int
    lo: int
    period: int
    shift: int


class Geometry(NamedTuple):
    """One pad call, checked and normalised by :func:`declare`: input ``in_shape``,
    output ``out_shape`` (same rank), one :class:`Axis` per dim (unpadded dims have
    amounts 0), the mode (name and code) and the fill value (constant mode; 0
    otherwise), the user's ``pad`` as a tuple of ints."""

    in_shape: tuple
    out_shape: tuple
    axes: tuple
    mode: str
    code: int
    value: Any
    pad: tuple

    def padded(self) -> tuple:
        """The dims whose map is not the identity (some amount is nonzero)."""
        return tuple(d for d, a in enumerate(self.axes) if a.before != 0 or a.m != a.n)

    def attrs(self) -> dict[str, Any]:
        """PyTorch's names: ``{"pad": (...), "mode": str, "value": number}``."""
        return {"pad": self.pad, "mode": self.mode, "value": self.value}


def _amounts(pad: Any) -> tuple:
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad: expected a tuple of ints, got {type(pad).__name__}")
    for i, p in enumerate(pad):
        if not is_int(p):
            raise TypeError(f"pad(): argument 'pad' must be tuple of ints, but found element of "
                            f"type {type(p).__name__} at pos {i}")
    return tuple(int(p) for p in pad)


def check_mode(mode: Any) -> str:
    """The mode's name; TypeError for a non-string, NotImplementedError (PyTorch's) for an
    unknown one. What the padding layers check when they are built."""
    if not isinstance(mode, str):
        raise TypeError(f"mode: expected a str, got {type(mode).__name__}")
    if mode not in MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    return mode


def declare(input_shape: tuple, pad: Any, mode: str = "constant",
            value: Any = None) -> Geometry:
    """Check pad's arguments and return the :class:`Geometry` the kernels receive.

    input_shape: any shape for "constant"; for the other modes 2-D or 3-D with a pad of
    2 values, 3-D or 4-D with 4, 4-D or 5-D with 6 (PyTorch's combinations). pad: a
    tuple/list of an even number of ints, at most two per dim, from the last dim
    backwards. mode: "constant", "reflect", "replicate" or "circular". value: the fill
    of constant mode (None: 0), a number; refused for the other modes.

    Raises TypeError for a wrong type; NotImplementedError for an unknown mode or a
    non-constant mode with an unsupported rank; PadError (a RuntimeError and a
    ValueError) for an odd or too long pad, a reflect pad not smaller than its dim or
    cropping it to nothing, a circular pad larger than its dim (or than what a crop
    leaves of it), a non-constant mode on an empty dim, or a negative output size (PyTorch's RuntimeError, with its words).
    """
    shape = tuple(int(s) for s in input_shape)
    amounts = _amounts(pad)
    mode = check_mode(mode)
    ndim = len(shape)
    if len(amounts) % 2:
        raise PadError("Padding length must be divisible by 2")
    if len(amounts) // 2 > ndim:
        raise PadError("Padding length should be less than or equal to two times the input "
                       f"dimension but got padding length {len(amounts)} and input of "
                       f"dimension {ndim}")
    if mode == "constant":
        if value is None:
            value = 0
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            try:
                value = float(value)  # a NumPy scalar
            except (TypeError, ValueError):
                raise TypeError(f"value: expected a number, got {type(value).__name__}") from None
    else:
        if value is not None:
            raise PadError(f'Padding mode "{mode}" doesn\'t take in value argument')
        value = 0
        if ndim not in NON_CONSTANT_RANKS.get(len(amounts), ()):
            raise NotImplementedError(
                f"Padding size {len(amounts)} is not supported for {ndim}D input tensor.\n"
                "Supported combinations for non-constant padding:\n"
                "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    per_dim = [(0, 0)] * ndim
    for k in range(len(amounts) // 2):
        per_dim[ndim - 1 - k] = (amounts[2 * k], amounts[2 * k + 1])
    axes = []
    for d, (n, (b, a)) in enumerate(zip(shape, per_dim)):
        m = n + b + a
        if m < 0:
            raise PadError(f"The input size {n}, plus negative padding {b} and {a} resulted "
                           f"in a negative output size, which is invalid. Check dimension {d} "
                           "of your input.")
        lo = max(-b, 0)
        period = n - lo - max(-a, 0)
        if mode != "constant" and (b or a):
            if n == 0:
                raise PadError(f"{mode} padding: dimension {d} of input {list(shape)} is empty; "
                               "expected non-zero sizes in the padded dimensions")
            if mode == "reflect" and (b >= n or a >= n):
                raise PadError("Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({b}, {a}) at dimension {d} "
                               f"of input {list(shape)}")
            if mode == "reflect" and m < 1:
                raise PadError(f"input (size {n} at dimension {d}) is too small. Calculated "
                               f"output size: {m}")
            if mode == "circular":
                # PyTorch checks against n, then fails inside its kernel past the
                # cropped length: the amounts must fit in what is left.
                if b > n or a > n or b > period or a > period:
                    raise PadError("Padding value causes wrapping around more than once.")
                if period <= 0 and m > 0:
                    raise PadError(f"circular padding: the negative padding ({b}, {a}) crops "
                                   f"all of dimension {d} of input {list(shape)}, leaving "
                                   "nothing to wrap around")
        axes.append(Axis(n, m, b, lo, max(period, 1), max(b, 0)))
    out_shape = tuple(a.m for a in axes)
    return Geometry(shape, out_shape, tuple(axes), mode, MODE_CODES[mode], value, amounts)


def source(axis: Axis, code: int, o: int) -> int:
    """The input position output position ``o`` reads along ``axis`` under the mode with
    ``code``, or -1 for the fill value (constant mode): the module docstring's maps,
    written once in Python (the CUDA kernel has its own copy as a device function)."""
    i = o - axis.before
    if code == 0:
        return i if 0 <= i < axis.n else -1
    if code == 1:
        if i < 0:
            i = -i
        if i >= axis.n:
            i = 2 * (axis.n - 1) - i
        return i
    if code == 2:
        return min(max(i, 0), axis.n - 1)
    return axis.lo + (o - axis.shift) % axis.period
