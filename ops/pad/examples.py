"""pad's warm-up calls, for ``minigrad warmup`` (see minigrad/warmup.py): one call per
mode, the CUDA kernel's every specialisation that a CNN's padding reaches (4-D inputs,
and a 3-D one)."""
from __future__ import annotations

import numpy as np

from minigrad.warmup import random_tensor


def warmup_calls(dtype) -> dict:
    from minigrad.nn.functional.pad import pad
    rng = np.random.default_rng(0)
    x, y = random_tensor(rng, (2, 3, 6, 6), dtype), random_tensor(rng, (2, 3, 7), dtype)
    return {"pad": [lambda: pad(x, (1, 1, 2, 0)),
                    lambda: pad(x, (2, 2, 2, 2), mode="reflect"),
                    lambda: pad(x, (1, 0, 0, 1), mode="replicate"),
                    lambda: pad(x, (1, 1, 1, 1), mode="circular"),
                    lambda: pad(y, (2, 1), mode="reflect")]}
