"""Padding layers, as torch.nn's: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad
and CircularPad in 1-D, 2-D and 3-D, each ``F.pad(input, self.padding, mode, value)``
(see :func:`minigrad.nn.functional.pad.pad` for the modes and their maths)."""
from __future__ import annotations

from ...ops import pad as _decl
from ...ops._args import is_int
from ...tensor import Tensor
from ..functional.pad import pad as _pad
from ..module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _padding(padding, dims: int, name: str) -> tuple:
    """An int (every side) or a tuple of 2 * ``dims`` ints -> that tuple."""
    n = 2 * dims
    if is_int(padding):
        return (int(padding),) * n
    if isinstance(padding, (tuple, list)) and len(padding) == n and all(map(is_int, padding)):
        return tuple(int(p) for p in padding)
    sides = "(left, right)" if dims == 1 else \
        "(left, right, top, bottom)" if dims == 2 else \
        "(left, right, top, bottom, front, back)"
    raise (TypeError if not isinstance(padding, (tuple, list)) else ValueError)(
        f"{name}: padding: expected an int or a tuple of {n} ints {sides}, got {padding!r}")


class _PadNd(Module):
    """One padding layer: ``mode`` and the number of padded dims are the class's."""

    mode = "constant"
    dims = 2

    def __init__(self, padding, value: float | None = None):
        super().__init__()
        self.padding = _padding(padding, self.dims, type(self).__name__)
        self._value = value

    def forward(self, input: Tensor) -> Tensor:
        return _pad(input, self.padding, self.mode, self._value)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"value: expected a number, got {type(value).__name__}")
        super().__init__(padding, value)
        self.value = value

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


_CONSTANT_DOC = """Pads the last {d} dim(s) of the input with ``value``, as
    ``torch.nn.{name}``: ``F.pad(input, padding, "constant", value)``.

    Shapes: input (*, {shape}), output with each padded dim n grown to n + before +
    after (negative amounts crop).

    Args:
        padding: an int (every side) or a tuple of {n} ints {sides}.
        value: the fill value{value_note}.
    """

_MODE_DOC = """Pads the last {d} dim(s) of the input by {how}, as ``torch.nn.{name}``:
    ``F.pad(input, padding, "{mode}")``.

    Shapes: input {shapes}; output with each padded dim n grown to n + before + after.

    Args:
        padding: an int (every side) or a tuple of {n} ints {sides}{limit}.

    Differences from PyTorch: a padding tuple of the wrong length is refused when the
    layer is built (ValueError), not at the first call.
    """

_SIDES = {1: "(left, right)", 2: "(left, right, top, bottom)",
          3: "(left, right, top, bottom, front, back)"}
_SHAPES = {1: "(C, W) or (B, C, W)", 2: "(C, H, W) or (B, C, H, W)",
           3: "(C, D, H, W) or (B, C, D, H, W)"}
_LAST = {1: "W", 2: "H, W", 3: "D, H, W"}
_HOW = {"reflect": "reflecting the input at its edges (the edge not repeated)",
        "replicate": "repeating the edge values", "circular": "wrapping around"}
_LIMIT = {"reflect": "; each amount smaller than its dim", "replicate": "",
          "circular": "; each amount at most its dim"}


def _layer(name: str, dims: int, mode: str, zero: bool = False) -> type:
    if mode == "constant":
        if zero:
            def __init__(self, padding):
                _ConstantPadNd.__init__(self, padding, 0.0)
            body = {"__init__": __init__, "extra_repr": lambda self: f"{self.padding}"}
        else:
            body = {}
        doc = _CONSTANT_DOC.format(d=dims, name=name, shape=_LAST[dims], n=2 * dims,
                                   sides=_SIDES[dims],
                                   value_note=" (0 for this layer)" if zero else "")
        cls = type(name, (_ConstantPadNd,), {"dims": dims, "__doc__": doc, **body})
    else:
        doc = _MODE_DOC.format(d=dims, how=_HOW[mode], name=name, mode=mode,
                               shapes=_SHAPES[dims], n=2 * dims, sides=_SIDES[dims],
                               limit=_LIMIT[mode])
        def __init__(self, padding):
            _PadNd.__init__(self, padding)
        cls = type(name, (_PadNd,), {"dims": dims, "mode": _decl.check_mode(mode),
                                     "__doc__": doc, "__init__": __init__})
    cls.__module__ = __name__
    cls.__qualname__ = name
    return cls


ZeroPad1d = _layer("ZeroPad1d", 1, "constant", zero=True)
ZeroPad2d = _layer("ZeroPad2d", 2, "constant", zero=True)
ZeroPad3d = _layer("ZeroPad3d", 3, "constant", zero=True)
ConstantPad1d = _layer("ConstantPad1d", 1, "constant")
ConstantPad2d = _layer("ConstantPad2d", 2, "constant")
ConstantPad3d = _layer("ConstantPad3d", 3, "constant")
ReflectionPad1d = _layer("ReflectionPad1d", 1, "reflect")
ReflectionPad2d = _layer("ReflectionPad2d", 2, "reflect")
ReflectionPad3d = _layer("ReflectionPad3d", 3, "reflect")
ReplicationPad1d = _layer("ReplicationPad1d", 1, "replicate")
ReplicationPad2d = _layer("ReplicationPad2d", 2, "replicate")
ReplicationPad3d = _layer("ReplicationPad3d", 3, "replicate")
CircularPad1d = _layer("CircularPad1d", 1, "circular")
CircularPad2d = _layer("CircularPad2d", 2, "circular")
CircularPad3d = _layer("CircularPad3d", 3, "circular")
