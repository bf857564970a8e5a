"""The cuda bench (``minigrad bench --device cuda``): every registered CUDA version of
each op against the op's first (simplest) version, against minigrad's numba CPU kernel
at the same workload, and against PyTorch CUDA (cuDNN, cuBLAS) when torch has CUDA, all
measured in one run; then LeNet-5's training step on the GPU, every CUDA implementation
set, against the CPU step at the same batch (and PyTorch CUDA's).

Every clock read waits for the GPU first (kernels launch asynchronously). Nothing is
scaled: the GPU and the numba CPU kernels run the full batch. A version whose first call
fails (a kernel still missing an op it needs, say) is left out with its error listed
under the table rather than ending a run that may have waited for a GPU.
"""
from __future__ import annotations

import contextlib
import gc
import sys
import traceback

from . import torch_ref
from .models import choices, implementation_sets, step_case
from .report import OP_TORCH_COLUMNS
from .timing import _timed, is_slow, measure, raw_samples
from .workloads import op_case

DEVICE = "cuda"
# The CPU kernel each op is compared with: the parallel numba one (else the CPU default).
CPU_IMPL = "numba"


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _speedup(base, value):
    return base / value if base and value else None


def cuda_implementations(op: str) -> list[str]:
    """The op's CUDA versions, registration order (the first is the simplest); none
    while they are still being written."""
    from minigrad import dispatch
    return dispatch.implementations(op, DEVICE)


def cpu_implementation(op: str) -> str | None:
    """The CPU implementation the GPU is compared with: numba, else the CPU default
    unless that is a sequential baseline (which would cost minutes at these shapes)."""
    from minigrad import dispatch
    impls = dispatch.implementations(op, "cpu")
    if CPU_IMPL in impls:
        return CPU_IMPL
    name = dispatch.selected(op, "cpu") if impls else None
    return None if name is None or is_slow(name) else name


@contextlib.contextmanager
def _frozen_heap():
    """Within the block each :func:`settle` moves the objects alive so far out of the
    collector's sight (``gc.freeze``). The timing loop collects before every call;
    with torch and numba.cuda loaded a full collection walks ~200k long-lived objects
    (0.1 s on a slow CPU), which over a few thousand calls would cost minutes."""
    try:
        yield
    finally:
        gc.unfreeze()


def settle() -> None:
    """Collect, then freeze what is left (see :func:`_frozen_heap`)."""
    gc.collect()
    gc.freeze()


def _error(e: BaseException) -> str:
    last = traceback.extract_tb(e.__traceback__)[-1:] if e.__traceback__ else []
    where = f" ({last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
    return f"{type(e).__name__}: {e}".splitlines()[0][:200] + where


def _prepare(make: dict, label: str, failures: list, log) -> dict:
    """Build each case and make its first call (the warm-up: JIT compilation included);
    keep those that ran, list the others in ``failures`` as (what, error)."""
    ready = {}
    for key, build in make.items():
        try:
            case = build()
            case.first = sum(_timed(case))
        except Exception as e:  # noqa: BLE001 - reported, and the run goes on
            what = f"{label} | {key[1]} ({key[0]})"
            failures.append((what, _error(e)))
            log(f"  FAILED {what}: {_error(e)}")
            continue
        ready[key] = case
    return ready


def _ratios(case, ref_case) -> dict:
    if ref_case is None:
        return {}
    if case is ref_case:
        return dict.fromkeys(OP_TORCH_COLUMNS, 1.0)
    ratios = case.ratios()
    return dict(zip(OP_TORCH_COLUMNS, ratios)) if ratios else {}


def run_ops(workloads, repeats: int, budget_s: float | None = None, torch=None,
            log=_log, failures: list | None = None) -> list[dict]:
    """Rows for every CUDA version of each workload's op, the numba CPU kernel and
    PyTorch CUDA (``torch`` given only when it has CUDA)."""
    failures = [] if failures is None else failures
    with _frozen_heap():
        return _op_rows(workloads, repeats, budget_s, torch, log, failures)


def _op_rows(workloads, repeats, budget_s, torch, log, failures) -> list[dict]:
    from minigrad import dispatch
    rows: list[dict] = []
    for n, w in enumerate(workloads, 1):
        impls = cuda_implementations(w.op)
        if not impls:
            log(f"[{n}/{len(workloads)}] {w.name}: no CUDA implementation registered, skipped")
            failures.append((w.name, "no CUDA implementation of " + w.op + " registered"))
            continue
        default = dispatch.selected(w.op, DEVICE)
        cpu = cpu_implementation(w.op)
        log(f"[{n}/{len(workloads)}] {w.name}: {', '.join(impls)} on cuda"
            f"{f', {cpu} on cpu' if cpu else ''}{', torch on cuda' if torch else ''}")
        make = {(DEVICE, i): (lambda i=i: op_case(w, i, DEVICE)) for i in impls}
        if cpu:
            make[("cpu", cpu)] = lambda: op_case(w, cpu, "cpu")
        if torch is not None:
            make[(DEVICE, "torch")] = lambda: torch_ref.op_case(torch, w, DEVICE)
        settle()
        cases = _prepare(make, w.name, failures, log)
        ref = cases.pop((DEVICE, "torch"), None)
        settle()  # the objects the JIT compilations left too
        measure(list(cases.values()), ref, repeats, budget_s)
        totals = {key: case.medians_ms()[2] for key, case in cases.items()}
        first = totals.get((DEVICE, impls[0]))
        cpu_total = totals.get(("cpu", cpu))
        named = list(cases.items()) + ([((DEVICE, "torch"), ref)] if ref is not None else [])
        for (device, impl), case in named:
            fwd, bwd, total = case.medians_ms()
            rows.append({
                "suite": w.suite, "op": w.op, "workload": w.name, "device": device,
                "impl": impl, "label": impl if device == DEVICE else f"{impl} (CPU)",
                "default": device == DEVICE and impl == default, "batch": w.batch,
                "measured_batch": round(w.batch / case.scale), "scale": case.scale,
                "samples": len(case.samples), "forward_ms": fwd, "backward_ms": bwd,
                "total_ms": total, "first_call_ms": case.first * 1e3,
                "baseline": impls[0], "speedup_vs_baseline": _speedup(first, total),
                "cpu_impl": cpu, "speedup_vs_cpu": _speedup(cpu_total, total),
                **_ratios(case, ref), "raw": raw_samples(case, ("forward", "backward"))})
    return rows


def run_models(models, repeats: int, budget_s: float | None = None, torch=None,
               batch: int = 256, sets: list[str] | None = None, log=_log,
               failures: list | None = None) -> list[dict]:
    """Training-step rows on the GPU for every CUDA implementation set of each model
    (``default`` is the registry's defaults), the CPU step with the CPU defaults at the
    same batch, and PyTorch CUDA's step."""
    failures = [] if failures is None else failures
    sets = sets if sets is not None else implementation_sets(DEVICE)
    with _frozen_heap():
        return _model_rows(models, repeats, budget_s, torch, batch, sets, log, failures)


def _model_rows(models, repeats, budget_s, torch, batch, sets, log, failures) -> list[dict]:
    rows: list[dict] = []
    for model in models:
        log(f"[model] {model.name}, batch {batch}: {', '.join(sets)} on cuda, default on cpu"
            f"{', torch on cuda' if torch else ''}")
        make = {(DEVICE, s): (lambda s=s: step_case(model, s, batch, DEVICE)) for s in sets}
        make[("cpu", "default")] = lambda: step_case(model, "default", batch, "cpu")
        if torch is not None:
            make[(DEVICE, "torch")] = lambda: torch_ref.step_case(torch, model, batch, DEVICE)
        settle()
        cases = _prepare(make, model.name, failures, log)
        ref = cases.pop((DEVICE, "torch"), None)
        settle()
        measure(list(cases.values()), ref, repeats, budget_s)
        cpu_case = cases.get(("cpu", "default"))
        cpu_step = cpu_case.medians_ms()[3] if cpu_case is not None else None
        named = list(cases.items()) + ([((DEVICE, "torch"), ref)] if ref is not None else [])
        for (device, name), case in named:
            fwd, bwd, sgd, step = case.medians_ms()
            row = {"model": model.name, "device": device, "impl": name,
                   "label": name if device == DEVICE else f"{name} (CPU)",
                   "uses": "" if name in ("default", "torch") else
                   ", ".join(sorted(choices(name, device))),
                   "batch": batch, "measured_batch": round(batch / case.scale),
                   "scale": case.scale, "samples": len(case.samples), "forward_ms": fwd,
                   "backward_ms": bwd, "sgd_ms": sgd, "step_ms": step,
                   "images_per_s": batch / (step / 1e3), "first_step_ms": case.first * 1e3,
                   "speedup_vs_cpu": _speedup(cpu_step, step),
                   "raw": raw_samples(case, ("forward", "backward", "sgd"))}
            if ref is not None:
                row["torch_ratio"] = 1.0 if case is ref else case.ratios()[3]
            rows.append(row)
    return rows
