"""Timing: warm-up, then repeats interleaved with a reference, medians and paired ratios.

A :class:`Case` is one thing to time (an implementation of an op at a workload, or a
training step with an implementation set); its ``run_once()`` returns the seconds of
each phase (forward, backward, ...) at the batch it was built with. :func:`measure`
calls each case once to warm it up (the "first call", which includes any JIT
compilation), then runs ``repeats`` rounds; in every round each case runs once,
immediately followed by the reference (PyTorch) when there is one, so that whatever
else the machine is doing hits both alike. Ratios to the reference are taken pair by
pair and their median reported.
"""
from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

# Implementations measured on a reduced batch and scaled linearly to the full one: the
# sequential CPU rungs. On cuda every version is a parallel kernel ("naive" matmul
# included): nothing is scaled there.
SLOW = {"naive"}

clock = time.perf_counter


def is_slow(impl: str, device: str = "cpu") -> bool:
    """True for the sequential CPU baselines, timed on a reduced batch."""
    return device == "cpu" and impl in SLOW


def _nothing() -> None:
    pass


def synchronizer(device: str = "cpu") -> Callable[[], None]:
    """What to call before each clock read on ``device``: kernels launch asynchronously
    on cuda, so the clock must wait for the GPU (``minigrad.cuda.synchronize``); on the
    CPU the work is done when the call returns."""
    if device == "cpu":
        return _nothing
    import minigrad
    return minigrad.cuda.synchronize


@dataclass
class Case:
    label: str
    # seconds of each phase, at the measured batch
    run_once: Callable[[], tuple[float, ...]]
    # full batch / measured batch: what the times are multiplied by
    scale: float = 1.0
    # False for the slow pure-Python rungs: nothing to compile, so the first timed call
    # doubles as the warm-up (and is reported as the first call)
    warmup: bool = True
    first: float | None = None  # seconds, unscaled
    samples: list = field(default_factory=list)  # tuples of phase seconds, unscaled
    ref_samples: list = field(default_factory=list)  # the reference's, paired with samples

    @property
    def spent(self) -> float:
        return sum(sum(s) for s in self.samples)

    def medians_ms(self) -> list[float]:
        """Median of each phase, then of the sum of phases, in ms at the full batch."""
        phases = list(zip(*self.samples)) + [[sum(s) for s in self.samples]]
        return [statistics.median(p) * self.scale * 1e3 for p in phases]

    def ratios(self) -> list[float | None] | None:
        """ours / reference, per phase then for the sum: medians of the paired ratios."""
        if not self.ref_samples:
            return None
        pairs = [(list(o) + [sum(o)], list(r) + [sum(r)])
                 for o, r in zip(self.samples, self.ref_samples)]
        ratios = []
        for i in range(len(pairs[0][0])):
            each = [o[i] * self.scale / r[i] for o, r in pairs if r[i] > 0]
            ratios.append(statistics.median(each) if each else None)
        return ratios


def raw_samples(case: Case, phases: tuple) -> list[tuple]:
    """Every timed call of ``case``: (call, phase, ms at the full batch, the paired
    reference's ms or None)."""
    refs = case.ref_samples or [None] * len(case.samples)
    return [(n, phase, ours[i] * case.scale * 1e3, None if ref is None else ref[i] * 1e3)
            for n, (ours, ref) in enumerate(zip(case.samples, refs), 1)
            for i, phase in enumerate(phases)]


def _timed(case: Case) -> tuple[float, ...]:
    # The tape makes reference cycles: collect between calls, not during them.
    gc.collect()
    gc.disable()
    try:
        return tuple(case.run_once())
    finally:
        gc.enable()


def measure(cases: list[Case], reference: Case | None = None, repeats: int = 5,
            budget_s: float | None = None, progress: Callable[[str], None] | None = None) -> None:
    """Fill in ``first``, ``samples`` and ``ref_samples`` of each case (and the
    reference's own ``first`` and ``samples``, pooled over all cases).

    A case stops early, after at least one sample, once its samples took ``budget_s``.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    for case in cases + ([reference] if reference else []):
        if case.warmup and case.first is None:
            case.first = sum(_timed(case))
    for _ in range(repeats):
        for case in cases:
            if len(case.samples) >= repeats:
                continue
            if case.samples and budget_s is not None and case.spent >= budget_s:
                continue
            sample = _timed(case)
            case.samples.append(sample)
            if case.first is None:
                case.first = sum(sample)
            if reference is not None:
                ref = _timed(reference)
                case.ref_samples.append(ref)
                reference.samples.append(ref)
            if progress:
                progress(f"{case.label}: {sum(sample) * case.scale * 1e3:.1f} ms")

