"""Compile the JIT kernels ahead of time.

Numba compiles a kernel the first time it is called with a new combination of argument
types (float32 or float64, with or without a bias, ...), and ``cache=True`` keeps the
machine code on disk, so later processes only load it. :func:`warmup` makes both happen
up front: it runs every registered implementation of each CNN op forward and backward on
small inputs of each dtype, so a benchmark or a training loop never pays for
compilation inside its timed part.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable

import numpy as np

from . import dtype as dt
from .autograd.grad_mode import enable_grad
from .dispatch import implementations, use
from .tensor import Tensor


def _t(rng, shape, dtype, grad=True):
    return Tensor._wrap(rng.standard_normal(shape).astype(dtype.np)).requires_grad_(grad)


def _examples(dtype) -> dict[str, list[Callable[[], Tensor]]]:
    """Small calls per op that between them reach every kernel (and argument-type
    combination) an implementation has."""
    import minigrad.nn.functional as F

    rng = np.random.default_rng(0)
    x1, x3 = _t(rng, (2, 1, 12, 12), dtype), _t(rng, (2, 3, 8, 8), dtype)
    w1, w3 = _t(rng, (6, 1, 5, 5), dtype), _t(rng, (4, 3, 3, 3), dtype)
    b6, b4 = _t(rng, (6,), dtype), _t(rng, (4,), dtype)
    wg = _t(rng, (4, 1, 3, 3), dtype)
    logits = _t(rng, (5, 7), dtype)
    target = Tensor._wrap(rng.integers(0, 7, size=5))
    weight = Tensor._wrap(rng.random(7).astype(dtype.np) + 0.5)
    a, b = _t(rng, (3, 4), dtype), _t(rng, (4, 5), dtype)
    a3, b3 = _t(rng, (2, 3, 4), dtype), _t(rng, (2, 4, 5), dtype)
    w5, b5 = _t(rng, (5, 4), dtype), _t(rng, (5,), dtype)
    return {
        "conv2d": [lambda: F.conv2d(x1, w1, b6, padding=2),
                   lambda: F.conv2d(x3, w3, b4, padding=1),
                   lambda: F.conv2d(x3, w3, None, stride=2, dilation=2),
                   lambda: F.conv2d(_t(rng, (2, 4, 8, 8), dtype), wg, groups=4)],
        "max_pool2d": [lambda: F.max_pool2d(x3, 2),
                       lambda: F.max_pool2d(x3, 3, stride=2, padding=1, ceil_mode=True)],
        "softmax": [lambda: F.softmax(logits, 1), lambda: F.softmax(a3, 0)],
        "log_softmax": [lambda: F.log_softmax(logits, 1), lambda: F.log_softmax(a3, 0)],
        "cross_entropy": [lambda: F.cross_entropy(logits, target),
                          lambda: F.cross_entropy(logits, target, weight, reduction="none",
                                                  label_smoothing=0.1),
                          lambda: F.cross_entropy(logits, target, reduction="sum")],
        "matmul": [lambda: a @ b, lambda: a3 @ b3, lambda: a3 @ b],
        "linear": [lambda: F.linear(a, w5, b5), lambda: F.linear(a3, w5)],
    }


def warmup(ops: Iterable[str] | None = None, dtypes=(dt.float32, dt.float64),
           device: str = "cpu") -> dict[tuple[str, str], float]:
    """Run each implementation of each op (all CNN ops when ``ops`` is None) forward and
    backward on small inputs of each dtype, compiling its kernels or loading them from
    Numba's on-disk cache. The sequential "naive" baseline has nothing to compile and is
    skipped.

    Returns seconds spent per (op, implementation): compile time in a fresh cache, load
    time with a warm one (the time to run the tiny examples themselves is negligible).
    """
    timings: dict[tuple[str, str], float] = {}
    for dtype in dtypes:
        examples = _examples(dt.as_dtype(dtype))
        for op in ops or examples:
            if op not in examples:
                raise ValueError(f"ops: no warm-up examples for {op!r}; known: {', '.join(examples)}")
            for impl in implementations(op, device):
                if impl == "naive":
                    continue
                t0 = time.perf_counter()
                with use(**{op: impl}), enable_grad():
                    for call in examples[op]:
                        out = call()
                        out.backward(Tensor._wrap(np.ones(out.shape, dtype=out.data.dtype)))
                timings[(op, impl)] = timings.get((op, impl), 0.0) + time.perf_counter() - t0
    return timings
