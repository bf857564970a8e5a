"""conv2d's warm-up calls, for ``minigrad warmup`` (see minigrad/warmup.py): small
calls that between them reach every kernel and argument-type combination of the op."""
from __future__ import annotations

import numpy as np

from minigrad.warmup import random_tensor


def warmup_calls(dtype) -> dict:
    import minigrad.nn.functional as F
    rng = np.random.default_rng(0)

    def t(*shape):
        return random_tensor(rng, shape, dtype)
    x1, x3, w1, w3 = t(2, 1, 12, 12), t(2, 3, 8, 8), t(6, 1, 5, 5), t(4, 3, 3, 3)
    return {"conv2d": [lambda: F.conv2d(x1, w1, t(6), padding=2),
                       lambda: F.conv2d(x3, w3, t(4), padding=1),
                       lambda: F.conv2d(x3, w3, None, stride=2, dilation=2),
                       lambda: F.conv2d(t(2, 4, 8, 8), t(4, 1, 3, 3), groups=4)]}
