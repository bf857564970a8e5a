"""The family's three CUDA versions, one per row mapping of _rows.py, each holding the
kernel pairs of softmax, log_softmax and cross_entropy: ``VERSIONS[version][op] =
(forward, backward)`` (the registry reads it; the plans are in __init__.py).

    "row":   one thread per row (ROW)
    "block": one block per row (BLOCK)
    "warp":  one warp per row (WARP_ROWS, the default); its cross_entropy fuses the
             backward into the forward (saved: the gradient for grad_out = 1)

Each pair is the op's kernel functions (_softmax.py, _cross_entropy.py) with the
version's strategy bound as their first argument.
"""
from __future__ import annotations

from functools import partial

from . import _cross_entropy as ce
from . import _softmax as sm
from ._rows import BLOCK, ROW, WARP_ROWS, Strategy


def _version(strategy: Strategy, fused: bool = False) -> dict[str, tuple]:
    def bind(forward, backward) -> tuple:
        return partial(forward, strategy), partial(backward, strategy)
    return {
        "softmax": bind(sm.softmax_forward, sm.softmax_backward),
        "log_softmax": bind(sm.log_softmax_forward, sm.log_softmax_backward),
        "cross_entropy": (bind(ce.fused_forward, ce.fused_backward) if fused else
                          bind(ce.cross_entropy_forward, ce.cross_entropy_backward)),
    }


VERSIONS = {"row": _version(ROW), "block": _version(BLOCK), "warp": _version(WARP_ROWS, True)}
