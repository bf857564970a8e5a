"""matmul's warm-up calls, for ``minigrad warmup`` (see minigrad/warmup.py): small
calls that between them reach every kernel and argument-type combination of the op."""
from __future__ import annotations

import numpy as np

from minigrad.warmup import random_tensor


def warmup_calls(dtype) -> dict:
    rng = np.random.default_rng(0)

    def t(*shape):
        return random_tensor(rng, shape, dtype)
    a, b, a3, b3 = t(3, 4), t(4, 5), t(2, 3, 4), t(2, 4, 5)
    return {"matmul": [lambda: a @ b, lambda: a3 @ b3, lambda: a3 @ b]}
