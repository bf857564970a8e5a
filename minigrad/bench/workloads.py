"""The op workloads: what is timed, described once for minigrad and for PyTorch.

A :class:`Workload` makes its inputs as NumPy arrays (``inputs(batch)``, seeded, so every
implementation and PyTorch see the same numbers) and calls the op through a functional
namespace (``call(F, tensors)``): minigrad.nn.functional and torch.nn.functional share
the signatures used here, so one description serves both frameworks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

Inputs = dict  # name -> (ndarray, requires_grad)


@dataclass(frozen=True)
class Workload:
    name: str
    op: str
    batch: int
    # batch for the implementations too slow for the full one (see timing.SLOW),
    # scaled linearly to ``batch`` in the report
    reduced_batch: int
    # inputs(batch) -> {name: (ndarray, requires_grad)}
    inputs: Callable[[int], Inputs] = field(repr=False)
    # call(F, {name: tensor}) -> output tensor; F is a functional namespace
    call: Callable = field(repr=False)
    suite: str = "lenet"


def _rng():
    return np.random.default_rng(0)


def _normal(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def conv2d(batch, cin, hw, cout, k, padding=0, reduced_batch=2, suite="lenet") -> Workload:
    def inputs(b):
        rng = _rng()
        return {"x": (_normal(rng, b, cin, hw, hw), True),
                "weight": (_normal(rng, cout, cin, k, k), True),
                "bias": (_normal(rng, cout), True)}

    def call(F, t):
        return F.conv2d(t["x"], t["weight"], t["bias"], padding=padding)

    pad = f" pad {padding}" if padding else ""
    return Workload(f"conv {batch}x{cin}x{hw}x{hw} * {cout}x{cin}x{k}x{k}{pad}", "conv2d",
                    batch, reduced_batch, inputs, call, suite)


def max_pool2d(batch, channels, hw, kernel=2, reduced_batch=8, suite="lenet") -> Workload:
    def inputs(b):
        # distinct values: no ties, whose gradient routing frameworks may choose differently
        x = _rng().permutation(b * channels * hw * hw).reshape(b, channels, hw, hw)
        return {"x": (x.astype(np.float32), True)}

    def call(F, t):
        return F.max_pool2d(t["x"], kernel)

    return Workload(f"max_pool2d {kernel} on {batch}x{channels}x{hw}x{hw}", "max_pool2d",
                    batch, reduced_batch, inputs, call, suite)


def cross_entropy(batch, classes, reduced_batch=128, suite="lenet") -> Workload:
    def inputs(b):
        rng = _rng()
        return {"logits": (_normal(rng, b, classes), True),
                "target": (rng.integers(0, classes, size=b).astype(np.int64), False)}

    def call(F, t):
        return F.cross_entropy(t["logits"], t["target"])

    return Workload(f"cross_entropy {batch}x{classes}", "cross_entropy",
                    batch, reduced_batch, inputs, call, suite)


def _along_rows(op: str):
    """softmax or log_softmax over the classes of (batch, classes) logits."""
    def make(batch, classes, reduced_batch=128, suite="lenet") -> Workload:
        def inputs(b):
            return {"x": (_normal(_rng(), b, classes), True)}

        def call(F, t):
            return getattr(F, op)(t["x"], dim=1)

        return Workload(f"{op} {batch}x{classes}", op, batch, reduced_batch, inputs, call,
                        suite)
    make.__name__ = op
    make.__doc__ = f"{op} of (batch, classes) logits along dim 1."
    return make


softmax = _along_rows("softmax")
log_softmax = _along_rows("log_softmax")


def matmul(batch, k, m, reduced_batch=4, suite="lenet") -> Workload:
    """(batch, k) @ (k, m); the batch is the rows of the left operand."""
    def inputs(b):
        rng = _rng()
        return {"a": (_normal(rng, b, k), True), "b": (_normal(rng, k, m), True)}

    def call(F, t):
        return t["a"] @ t["b"]

    return Workload(f"matmul {batch}x{k} @ {k}x{m}", "matmul", batch, reduced_batch,
                    inputs, call, suite)


# The layers of LeNet-5 at batch 128 (issue 3), then larger ones.
LENET_WORKLOADS = [
    conv2d(128, 1, 28, 6, 5, padding=2, reduced_batch=2),
    conv2d(128, 6, 14, 16, 5, reduced_batch=2),
    max_pool2d(128, 6, 28, reduced_batch=8),
    cross_entropy(128, 10, reduced_batch=128),
    matmul(128, 400, 120, reduced_batch=4),
]
# The naive conv here costs about 35 s per image, forward and backward: one image.
LARGE_WORKLOADS = [
    conv2d(64, 32, 32, 64, 3, padding=1, reduced_batch=1, suite="large"),
    max_pool2d(64, 64, 32, reduced_batch=2, suite="large"),
    cross_entropy(4096, 1000, reduced_batch=64, suite="large"),
    matmul(512, 512, 512, reduced_batch=2, suite="large"),
]
WORKLOADS = LENET_WORKLOADS + LARGE_WORKLOADS

# On cuda: LeNet-5's layers at batch 256 (the issue's target shapes; the second pooling
# layer too), softmax and log_softmax (which have CUDA versions of their own), then the
# larger shapes. Nothing is scaled on the GPU: reduced_batch is the full batch.
CUDA_LENET_WORKLOADS = [
    conv2d(256, 1, 28, 6, 5, padding=2, reduced_batch=256),
    conv2d(256, 6, 14, 16, 5, reduced_batch=256),
    max_pool2d(256, 6, 28, reduced_batch=256),
    max_pool2d(256, 16, 10, reduced_batch=256),
    softmax(256, 10, reduced_batch=256),
    log_softmax(256, 10, reduced_batch=256),
    cross_entropy(256, 10, reduced_batch=256),
    matmul(256, 400, 120, reduced_batch=256),
]
CUDA_LARGE_WORKLOADS = [
    conv2d(64, 32, 32, 64, 3, padding=1, reduced_batch=64, suite="large"),
    max_pool2d(64, 64, 32, reduced_batch=64, suite="large"),
    softmax(4096, 1000, reduced_batch=4096, suite="large"),
    log_softmax(4096, 1000, reduced_batch=4096, suite="large"),
    cross_entropy(4096, 1000, reduced_batch=4096, suite="large"),
    matmul(512, 512, 512, reduced_batch=512, suite="large"),
]
CUDA_WORKLOADS = CUDA_LENET_WORKLOADS + CUDA_LARGE_WORKLOADS

# A smoke test of the machinery (--tiny), small enough for Numba's CUDA simulator, whose
# every GPU thread is a Python thread: one workload per op, shapes that are not a
# multiple of any block size.
TINY_WORKLOADS = [
    conv2d(2, 2, 5, 3, 3, padding=1, reduced_batch=1, suite="tiny"),
    max_pool2d(2, 2, 4, reduced_batch=1, suite="tiny"),
    softmax(3, 5, reduced_batch=3, suite="tiny"),
    log_softmax(3, 5, reduced_batch=3, suite="tiny"),
    cross_entropy(3, 5, reduced_batch=3, suite="tiny"),
    matmul(3, 5, 4, reduced_batch=1, suite="tiny"),
]


def benchmarked_ops(device: str = "cpu") -> list[str]:
    """The ops that have workloads on ``device``, in workload order."""
    return list(dict.fromkeys(w.op for w in (CUDA_WORKLOADS if device == "cuda" else WORKLOADS)))


def select(ops: list[str] | None = None, quick: bool = False, device: str = "cpu",
           tiny: bool = False) -> list[Workload]:
    """The workloads of the given ops (all when None) on ``device``; LeNet-5 shapes only
    when quick; the tiny smoke-test shapes when tiny (softmax and log_softmax are timed
    on cuda only, as on the CPU they were before)."""
    if tiny:
        chosen = [w for w in TINY_WORKLOADS if w.op in benchmarked_ops(device)]
    elif device == "cuda":
        chosen = CUDA_LENET_WORKLOADS if quick else CUDA_WORKLOADS
    else:
        chosen = LENET_WORKLOADS if quick else WORKLOADS
    return [w for w in chosen if ops is None or w.op in ops]


def minigrad_tensors(inputs: Inputs, device: str = "cpu") -> dict:
    import minigrad
    return {k: minigrad.tensor(a.copy(), requires_grad=rg, device=device)
            for k, (a, rg) in inputs.items()}


def grad_for(shape: tuple, seed: int = 1) -> np.ndarray | None:
    """The upstream gradient fed to backward (None for a scalar output)."""
    if shape == ():
        return None
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def op_case(w: Workload, impl: str, device: str = "cpu"):
    """A timing Case: minigrad's ``impl`` of ``w.op`` on ``device``, forward then
    backward (slow implementations on the reduced batch). On cuda every clock read
    waits for the GPU first: kernels launch asynchronously."""
    import minigrad
    import minigrad.nn.functional as F

    from .timing import Case, clock, is_slow, synchronizer

    slow = is_slow(impl, device)
    batch = min(w.reduced_batch, w.batch) if slow else w.batch
    tensors = minigrad_tensors(w.inputs(batch), device)
    leaves = [t for t in tensors.values() if t.requires_grad]
    grads: dict = {}
    sync = synchronizer(device)

    def run_once():
        for t in leaves:
            t.grad = None
        with minigrad.use(**{w.op: impl}):
            sync()
            t0 = clock()
            out = w.call(F, tensors)
            sync()
            t1 = clock()
            if out.shape not in grads:
                g = grad_for(out.shape)
                grads[out.shape] = None if g is None else minigrad.tensor(g, device=device)
            grad = grads[out.shape]
            sync()
            t2 = clock()
            out.backward(grad)
            sync()
            t3 = clock()
        return t1 - t0, t3 - t2

    suffix = "" if device == "cpu" else f" ({device})"
    return Case(f"{w.name} | {impl}{suffix}", run_once, scale=w.batch / batch, warmup=not slow)
