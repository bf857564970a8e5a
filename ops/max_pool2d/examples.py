"""max_pool2d's warm-up calls, for ``minigrad warmup`` (see minigrad/warmup.py): small
calls that between them reach every kernel and argument-type combination of the op."""
from __future__ import annotations

import numpy as np

from minigrad.warmup import random_tensor


def warmup_calls(dtype) -> dict:
    import minigrad.nn.functional as F
    x = random_tensor(np.random.default_rng(0), (2, 3, 8, 8), dtype)
    return {"max_pool2d": [lambda: F.max_pool2d(x, 2),
                           lambda: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)]}
