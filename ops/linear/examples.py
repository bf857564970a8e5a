"""linear's warm-up calls, for ``minigrad warmup`` (see minigrad/warmup.py): small
calls that between them reach every kernel and argument-type combination of the op."""
from __future__ import annotations

import numpy as np

from minigrad.warmup import random_tensor


def warmup_calls(dtype) -> dict:
    import minigrad.nn.functional as F
    rng = np.random.default_rng(0)

    def t(*shape):
        return random_tensor(rng, shape, dtype)
    a, a3, w5, b5 = t(3, 4), t(2, 3, 4), t(5, 4), t(5)
    return {"linear": [lambda: F.linear(a, w5, b5), lambda: F.linear(a3, w5)]}
