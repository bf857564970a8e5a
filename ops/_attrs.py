"""``Attrs``: the geometry of an op that has nothing to precompute.

Every kernel receives one immutable object from its op's declaration (docs/tape.md,
"the kernel contract"). The CNN ops declare a ``Geometry`` NamedTuple with their shapes
and output size worked out; the small ops (``clamp``'s bounds, a reduction's dims) and
users' own ops only have attributes, and this holds them. Both answer ``attrs()``: the
attributes under their PyTorch names, which the graph pictures print.
"""
from __future__ import annotations

from typing import Any


class Attrs:
    """An immutable set of normalised attributes, read as ``g.dim``, ``g.keepdim``."""

    __slots__ = ("_values",)

    def __init__(self, **values: Any):
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"this op has no attribute {name!r}; it has "
                                 f"{', '.join(self._values) or 'none'}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("an op's attributes are immutable")

    def attrs(self) -> dict[str, Any]:
        """The attributes as a new dict."""
        return dict(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Attrs) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        return f"Attrs({', '.join(f'{k}={v!r}' for k, v in self._values.items())})"


NONE = Attrs()  # the geometry of an op without attributes


def attrs_of(geometry: Any) -> dict[str, Any]:
    """What a graph picture shows of a geometry: its ``attrs()``, a NamedTuple's fields,
    or nothing."""
    if hasattr(geometry, "attrs"):
        return geometry.attrs()
    if hasattr(geometry, "_asdict"):
        return geometry._asdict()
    return {}
