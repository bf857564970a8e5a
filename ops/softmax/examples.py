"""softmax's, log_softmax's and cross_entropy's warm-up calls, for ``minigrad warmup``
(see minigrad/warmup.py): small calls that between them reach every kernel and
argument-type combination of the ops."""
from __future__ import annotations

import numpy as np

from minigrad.warmup import random_tensor


def _softmax_calls(dtype) -> dict:
    import minigrad.nn.functional as F
    rng = np.random.default_rng(0)
    logits, a3 = random_tensor(rng, (5, 7), dtype), random_tensor(rng, (2, 3, 4), dtype)
    return {"softmax": [lambda: F.softmax(logits, 1), lambda: F.softmax(a3, 0)],
            "log_softmax": [lambda: F.log_softmax(logits, 1), lambda: F.log_softmax(a3, 0)]}


def _cross_entropy_calls(dtype) -> dict:
    import minigrad.nn.functional as F
    from minigrad.tensor import Tensor
    rng = np.random.default_rng(0)
    logits = random_tensor(rng, (5, 7), dtype)
    target = Tensor._wrap(rng.integers(0, 7, size=5))
    weight = Tensor._wrap(rng.random(7).astype(dtype.np) + 0.5)
    return {"cross_entropy": [
        lambda: F.cross_entropy(logits, target),
        lambda: F.cross_entropy(logits, target, weight, reduction="none", label_smoothing=0.1),
        lambda: F.cross_entropy(logits, target, reduction="sum")]}


def warmup_calls(dtype) -> dict:
    return {**_softmax_calls(dtype), **_cross_entropy_calls(dtype)}
