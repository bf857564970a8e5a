"""Compile the JIT kernels ahead of time.

Numba compiles a kernel the first time it is called with a new combination of argument
types (float32 or float64, with or without a bias, ...), and ``cache=True`` keeps the
machine code on disk, so later processes only load it. :func:`warmup` makes both happen
up front: it runs every registered implementation of each CNN op forward and backward on
small inputs of each dtype, so a benchmark or a training loop never pays for
compilation inside its timed part. The calls are the op folders' own
(``ops/<op>/examples.py``, ``warmup_calls(dtype)``).
"""
from __future__ import annotations

import time
from typing import Callable, Iterable

import numpy as np

from . import dtype as dt
from .autograd.grad_mode import enable_grad
from .dispatch import implementations, use
from .tensor import Tensor


def random_tensor(rng: np.random.Generator, shape, dtype, requires_grad: bool = True) -> Tensor:
    """A standard-normal tensor for a warm-up call."""
    return Tensor._wrap(rng.standard_normal(shape).astype(dtype.np)).requires_grad_(requires_grad)


def warmup_calls(dtype) -> dict[str, list[Callable[[], Tensor]]]:
    """Every op folder's warm-up calls for ``dtype``: op name -> calls."""
    from .dispatch.folders import folder_modules
    table: dict[str, list[Callable[[], Tensor]]] = {}
    for module in folder_modules("examples"):
        table.update(module.warmup_calls(dtype))
    return table


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
        examples = warmup_calls(dt.as_dtype(dtype))
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
                        out.backward(Tensor._wrap(np.ones(out.shape, dtype=out._array.dtype)))
                timings[(op, impl)] = timings.get((op, impl), 0.0) + time.perf_counter() - t0
    return timings
