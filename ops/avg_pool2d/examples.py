"""avg_pool2d's and adaptive_avg_pool2d's warm-up calls, for ``minigrad warmup`` (see minigrad/warmup.py): small
calls that between them reach every kernel and argument-type combination of the op."""
from __future__ import annotations

import numpy as np

from minigrad.warmup import random_tensor


def warmup_calls(dtype) -> dict:
    import minigrad.nn.functional as F
    rng = np.random.default_rng(0)
    x, y = random_tensor(rng, (2, 3, 8, 8), dtype), random_tensor(rng, (2, 3, 7, 9), dtype)
    return {"avg_pool2d": [lambda: F.avg_pool2d(x, 2),
                           lambda: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True,
                                                count_include_pad=False),
                           lambda: F.avg_pool2d(x, (2, 3), padding=1, divisor_override=4)],
            "adaptive_avg_pool2d": [lambda: F.adaptive_avg_pool2d(y, (3, 4)),
                                    lambda: F.adaptive_avg_pool2d(y, 1)]}
