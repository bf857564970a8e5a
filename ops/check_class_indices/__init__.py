"""check_class_indices: refuse a class index outside ``[0, C)`` that is not
``ignore_index``, on every device: what cross_entropy and nll_loss check before their
kernels index with the targets.

On the CPU the check raises at once. On the GPU the values are not on the host, and
copying them back every step would stall the queue of kernels: the CUDA rung launches a
kernel that records the first bad index it meets in the device's error word
(:mod:`minigrad.device`), and the same error (an IndexError, as PyTorch's CPU raises,
that is also the ValueError minigrad raised before) is raised at the next copy to the host
(reading the loss, ``.item()``, ``.cpu()``), as PyTorch's device-side asserts surface at
the next synchronisation. Unlike PyTorch's, the error does not poison the device: after
it is raised, work goes on.

Which bad index is reported when there are several: the first on the CPU; on the GPU
whichever thread records first (one of them, not always the first).

Kernel contract (docs/tape.md): ``forward(g, target) -> (None, None)``, off the tape (no
backward); ``target`` is a flat int64 array.

This module imports only the standard library, NumPy and minigrad.errors (which
imports nothing).
"""
from __future__ import annotations

from typing import NamedTuple

from ...errors import IndexValueError

IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("flag",)}
DEFAULT = {"cpu": "numpy", "cuda": "flag"}

# The code of this error in the device's error word (minigrad.device.DEVICE_ERRORS).
ERROR_CODE = 1


class Geometry(NamedTuple):
    """The classes a target may name."""

    n_classes: int
    ignore_index: int

    def attrs(self) -> dict:
        return {"n_classes": self.n_classes, "ignore_index": self.ignore_index}


def declare(n_classes: int, ignore_index: int) -> Geometry:
    """The geometry of checking targets against ``n_classes`` classes (both ints, already
    checked by the loss's front end)."""
    return Geometry(int(n_classes), int(ignore_index))


def out_of_range(position: int, value: int, n_classes: int, ignore_index: int) -> IndexValueError:
    """The error for class index ``value`` at flat ``position``: the same words on
    every device (PyTorch: IndexError "Target 4 is out of bounds." from its CPU kernel,
    a device-side assert on CUDA)."""
    return IndexValueError(
        f"target: class index {value} at position {position} is out of range: expected "
        f"values in [0, {n_classes - 1}] for C={n_classes} classes, or "
        f"ignore_index={ignore_index}"
    )
