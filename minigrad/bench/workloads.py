"""The op workloads: what is timed, described once for minigrad and for PyTorch.

A :class:`Workload` makes its inputs as NumPy arrays (``inputs(batch)``, seeded, so every
implementation and PyTorch see the same numbers) and calls the op through a functional
namespace (``call(F, tensors)``): minigrad.nn.functional and torch.nn.functional share
the signatures used here, so one description serves both frameworks.

An op folder that is benchmarked says what to time in ``ops/<folder>/bench.py``: a
function ``workloads()`` returning its Workloads for every suite and device, and
``ORDER``, where its rows come in the report. Nothing here lists the ops:
:func:`all_workloads` finds the folders' files (as ``minigrad warmup`` finds their
``examples.py``), on first use, so importing this module imports none of them.

Suites: ``"lenet"``, LeNet-5's layer shapes (all that ``--quick`` times); ``"large"``, a
larger layer; ``"tiny"``, the smoke-test shapes of ``--tiny``, small enough for Numba's
CUDA simulator. ``devices`` says where a workload is timed: the GPU has workloads of its
own (LeNet-5 at batch 256, nothing scaled), the tiny ones serve both.

Report order: by suite (lenet, large, tiny), then by the folders' ``ORDER``, LeNet-5's
layers as the report always had them (conv2d 10, max_pool2d 20, avg_pool2d 30, the
softmax family's loss 40, matmul 50; a folder without one comes last), then by folder
name, then in the order of the folder's ``workloads()``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np

Inputs = dict  # name -> (ndarray, requires_grad)

SUITES = ("lenet", "large", "tiny")
CPU, CUDA, BOTH = ("cpu",), ("cuda",), ("cpu", "cuda")
# The ORDER of a folder whose bench.py gives none: after the built-in ops.
LAST = 1000


@dataclass(frozen=True)
class Workload:
    """One op at one shape: a row per implementation in the report."""

    # the row's label, unique per device (and the graphs' x-axis)
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
    # where it is timed: CPU, CUDA or BOTH (the tiny shapes)
    devices: tuple[str, ...] = CPU


def seeded_rng() -> np.random.Generator:
    """The generator every workload's inputs start from: the same numbers each time."""
    return np.random.default_rng(0)


def normal(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Standard-normal float32 values of ``shape``."""
    return rng.standard_normal(shape).astype(np.float32)


@lru_cache(maxsize=None)
def _discovered() -> tuple[Workload, ...]:
    from minigrad.dispatch.folders import folder_modules, op_folders
    declared = {folder.name: folder for folder in op_folders()}
    ranked, seen = [], {}
    for module in folder_modules("bench"):
        made = _checked(module, declared.get(module.__name__.split(".")[-2]))
        for w in made:
            # the report keys its rows by workload name, per device
            for key in ((w.name, d) for d in w.devices):
                if key in seen:
                    raise ValueError(f"{module.__name__}: workload {w.name!r} on {key[1]} "
                                     f"is already given by {seen[key]}")
                seen[key] = module.__name__
        rank = getattr(module, "ORDER", LAST)
        ranked += [((SUITES.index(w.suite), rank), w) for w in made]
    # a stable sort: folder (alphabetical) order, then each folder's own, within a rank
    ranked.sort(key=lambda pair: pair[0])
    return tuple(w for _, w in ranked)


def _checked(module, folder) -> list[Workload]:
    """``module.workloads()``, checked against its folder's declaration (an
    :class:`~minigrad.dispatch.folders.OpFolder`, None if it declares no implementations):
    a mistake in a bench.py is an error naming the file, not a missing or misfiled row."""
    where = module.__name__
    make = getattr(module, "workloads", None)
    if not callable(make):
        raise TypeError(f"{where}: expected a function workloads() -> list[Workload]")
    made = list(make())
    if not made:
        raise ValueError(f"{where}.workloads() returned no workloads")
    ops, devices = (folder.ops, folder.implementations) if folder else ((), {})
    for w in made:
        if not isinstance(w, Workload):
            raise TypeError(f"{where}.workloads(): expected Workload objects, got "
                            f"{type(w).__name__}")
        if w.op not in ops:
            raise ValueError(f"{where}: workload {w.name!r} times {w.op!r}, which its folder "
                             f"does not declare (its ops: {', '.join(ops)})")
        if w.suite not in SUITES:
            raise ValueError(f"{where}: workload {w.name!r}: suite {w.suite!r}, expected one "
                             f"of {', '.join(SUITES)}")
        if not w.devices or any(d not in devices for d in w.devices):
            raise ValueError(f"{where}: workload {w.name!r}: devices {w.devices!r}, expected "
                             f"some of the folder's {', '.join(devices)}")
    return made


def all_workloads() -> list[Workload]:
    """Every op folder's workloads (``ops/<folder>/bench.py``), every suite and device,
    in report order (see the module's docstring)."""
    return list(_discovered())


def benchmarked_ops(device: str = "cpu") -> list[str]:
    """The ops that have workloads on ``device``, in report order."""
    return list(dict.fromkeys(w.op for w in _discovered() if device in w.devices))


def select(ops: list[str] | None = None, quick: bool = False, device: str = "cpu",
           tiny: bool = False) -> list[Workload]:
    """The workloads of the given ops (all when None) on ``device``, in report order:
    the lenet and large suites; LeNet-5 shapes only when quick; the tiny smoke-test
    shapes when tiny."""
    suites = ("tiny",) if tiny else ("lenet",) if quick else ("lenet", "large")
    return [w for w in _discovered() if w.suite in suites and device in w.devices
            and (ops is None or w.op in ops)]


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
