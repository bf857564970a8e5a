"""Devices. minigrad runs on the CPU; the CUDA device is a later addition.

A :class:`Device` compares equal to its name, so ``t.device == "cpu"`` works.
"""
from __future__ import annotations


class Device:
    __slots__ = ("type",)

    def __init__(self, type: str):
        self.type = type

    def __eq__(self, other) -> bool:
        if isinstance(other, Device):
            return other.type == self.type
        if isinstance(other, str):
            return other == self.type
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.type)

    def __str__(self) -> str:
        return self.type

    def __repr__(self) -> str:
        return f"device(type='{self.type}')"


CPU = Device("cpu")


def device(spec: "str | Device | None") -> Device:
    """Parse a device argument ("cpu", Device, None -> cpu); refuse what is not here."""
    if spec is None:
        return CPU
    if isinstance(spec, Device):
        spec = spec.type
    if not isinstance(spec, str):
        raise TypeError(f"device: expected a string such as 'cpu' or a minigrad.device, got {type(spec).__name__}")
    name = spec.split(":")[0]
    if name == "cpu":
        return CPU
    if name == "cuda":
        raise RuntimeError("device 'cuda' is not available: this version of minigrad has no CUDA "
                           "backend yet; use device='cpu'")
    raise ValueError(f"device: expected 'cpu' (or 'cuda'), got {spec!r}")
