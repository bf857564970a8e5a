"""The runner: options, then ops and models timed, then the report written."""
from __future__ import annotations

import argparse
import os
import sys

from . import machine, report, torch_ref
from .models import MODELS, implementation_sets, step_case
from .timing import measure
from .workloads import WORKLOADS, op_case, select

DEFAULT_REPEATS, QUICK_REPEATS = 7, 3
DEFAULT_BUDGET_S, QUICK_BUDGET_S = 20.0, 5.0
MODEL_BATCH = 128


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    ops = ", ".join(dict.fromkeys(w.op for w in WORKLOADS))
    parser.add_argument("--device", default="cpu", choices=["cpu"],
                        help="device whose implementations are timed (default: cpu)")
    parser.add_argument("--ops", default=None,
                        help=f"comma-separated ops to time (default: all of {ops})")
    parser.add_argument("--repeats", type=_positive_int, default=None,
                        help=f"timed calls per row after one warm-up, median reported "
                             f"(default: {DEFAULT_REPEATS}; {QUICK_REPEATS} with --quick)")
    parser.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                        help=f"a row stops early once its timed calls took this long, after "
                             f"at least one (default: {DEFAULT_BUDGET_S:g}; "
                             f"{QUICK_BUDGET_S:g} with --quick)")
    parser.add_argument("--threads", type=_positive_int, default=None,
                        help="threads for minigrad's Numba kernels, PyTorch and, when threadpoolctl "
                             "is installed, NumPy's BLAS (default: Numba's, i.e. the usable "
                             "cores; without threadpoolctl set OPENBLAS_NUM_THREADS)")
    parser.add_argument("--quick", action="store_true",
                        help="LeNet-5 shapes only, fewer repeats")
    parser.add_argument("--out", default=os.path.join("docs", "benchmarks"),
                        help="directory for bench.md, bench.csv, bench-models.csv, "
                             "bench-samples.csv (every timed call) and the graphs "
                             "(default: docs/benchmarks)")
    parser.add_argument("--no-torch", action="store_true",
                        help="do not time PyTorch even when it is installed")
    parser.add_argument("--no-models", action="store_true",
                        help="skip the training-step throughput of the whole models")
    parser.add_argument("--no-plots", action="store_true", help="do not draw graphs")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


OP_PHASES = ("forward", "backward")
MODEL_PHASES = ("forward", "backward", "sgd")


def _raw(case, phases) -> list[tuple]:
    """Every timed call: (call, phase, ms at the full batch, the paired torch ms or None)."""
    refs = case.ref_samples or [None] * len(case.samples)
    return [(n, phase, ours[i] * case.scale * 1e3, None if ref is None else ref[i] * 1e3)
            for n, (ours, ref) in enumerate(zip(case.samples, refs), 1)
            for i, phase in enumerate(phases)]


def _speedup(base, value):
    return base / value if base and value else None


def run_ops(workloads, repeats: int, budget_s: float | None = None, torch=None,
            device: str = "cpu", log=_log) -> list[dict]:
    """Rows for every registered implementation of each workload's op (and PyTorch)."""
    from minigrad import dispatch
    rows: list[dict] = []
    for n, w in enumerate(workloads, 1):
        impls = dispatch.implementations(w.op, device)
        default = dispatch.selected(w.op, device)
        log(f"[{n}/{len(workloads)}] {w.name}: {', '.join(impls)}{', torch' if torch else ''}")
        cases = {impl: op_case(w, impl) for impl in impls}
        ref = torch_ref.op_case(torch, w) if torch is not None else None
        measure(list(cases.values()), ref, repeats, budget_s)
        naive = cases["naive"].medians_ms()[2] if "naive" in cases else None
        for impl, case in cases.items():
            fwd, bwd, total = case.medians_ms()
            row = {"suite": w.suite, "op": w.op, "workload": w.name, "impl": impl,
                   "default": impl == default, "batch": w.batch,
                   "measured_batch": round(w.batch / case.scale), "scale": case.scale,
                   "samples": len(case.samples), "forward_ms": fwd, "backward_ms": bwd,
                   "total_ms": total, "first_call_ms": case.first * 1e3,
                   "speedup_vs_naive": _speedup(naive, total)}
            ratios = case.ratios()
            if ratios:
                row.update(zip(report.OP_TORCH_COLUMNS, ratios))
            row["raw"] = _raw(case, OP_PHASES)
            rows.append(row)
        if ref is not None:
            fwd, bwd, total = ref.medians_ms()
            rows.append({"suite": w.suite, "op": w.op, "workload": w.name, "impl": "torch",
                         "default": False, "batch": w.batch, "measured_batch": w.batch,
                         "scale": 1.0, "samples": len(ref.samples), "forward_ms": fwd,
                         "backward_ms": bwd, "total_ms": total, "first_call_ms": ref.first * 1e3,
                         "speedup_vs_naive": _speedup(naive, total),
                         **dict.fromkeys(report.OP_TORCH_COLUMNS, 1.0),
                         "raw": _raw(ref, OP_PHASES)})
    return rows


def run_models(models, repeats: int, budget_s: float | None = None, torch=None,
               batch: int = MODEL_BATCH, sets: list[str] | None = None, device: str = "cpu",
               log=_log) -> list[dict]:
    """Training-step rows for every implementation set of each model (and PyTorch)."""
    sets = sets if sets is not None else implementation_sets(device)
    rows: list[dict] = []
    for model in models:
        log(f"[model] {model.name}, batch {batch}: {', '.join(sets)}{', torch' if torch else ''}")
        cases = {s: step_case(model, s, batch, device) for s in sets}
        ref = torch_ref.step_case(torch, model, batch) if torch is not None else None
        measure(list(cases.values()), ref, repeats, budget_s)
        naive = cases["naive"].medians_ms()[3] if "naive" in cases else None
        named = list(cases.items()) + ([("torch", ref)] if ref is not None else [])
        for name, case in named:
            fwd, bwd, sgd, step = case.medians_ms()
            row = {"model": model.name, "impl": name, "batch": batch,
                   "measured_batch": round(batch / case.scale), "scale": case.scale,
                   "samples": len(case.samples), "forward_ms": fwd, "backward_ms": bwd,
                   "sgd_ms": sgd, "step_ms": step, "images_per_s": batch / (step / 1e3),
                   "first_step_ms": case.first * 1e3, "speedup_vs_naive": _speedup(naive, step)}
            if ref is not None:
                row["torch_ratio"] = 1.0 if case is ref else case.ratios()[3]
            row["raw"] = _raw(case, MODEL_PHASES)
            rows.append(row)
    return rows


def _parse_ops(text: str | None) -> list[str] | None:
    if text is None:
        return None
    known = list(dict.fromkeys(w.op for w in WORKLOADS))
    ops = [o.strip() for o in text.split(",") if o.strip()]
    unknown = [o for o in ops if o not in known]
    if unknown or not ops:
        raise SystemExit(f"minigrad bench: --ops: unknown or empty {unknown or text!r}; "
                         f"benchmarked ops: {', '.join(known)}")
    return ops


def run(args: argparse.Namespace) -> int:
    """Run the benchmark as the parsed options say; print the Markdown, write the files."""
    ops = _parse_ops(args.ops)
    repeats = args.repeats or (QUICK_REPEATS if args.quick else DEFAULT_REPEATS)
    budget = args.budget if args.budget is not None else (
        QUICK_BUDGET_S if args.quick else DEFAULT_BUDGET_S)
    threads = machine.set_threads(args.threads) if args.threads else machine.threads()
    load_before = machine.load_average()
    torch = None if args.no_torch else torch_ref.load(threads)
    if torch is None and not args.no_torch:
        _log("PyTorch is not installed: no reference column (pip install torch)")
    info = machine.info(torch)
    machine_line = machine.line(info)
    _log(f"Machine: {machine_line}")

    op_rows = run_ops(select(ops, args.quick), repeats, budget, torch, args.device)
    model_rows = [] if args.no_models else run_models(MODELS, repeats, budget, torch,
                                                      MODEL_BATCH, device=args.device)
    load_after = machine.load_average()
    settings = (f"Settings: device {args.device}, {'quick (LeNet-5 shapes), ' if args.quick else ''}"
                f"median of up to {repeats} timed calls after a warm-up (a row stops early "
                f"after {budget:g} s), minigrad (Numba) threads {threads}"
                + (f", PyTorch threads {info['torch_threads']}, measured interleaved"
                   if torch is not None else ", no PyTorch reference")
                + (f"; load average (1/5/15 min) {load_before} before, {load_after} after"
                   if load_before else "") + ".")
    text = report.markdown(machine_line, settings, op_rows, model_rows)
    print(text)

    os.makedirs(args.out, exist_ok=True)
    written = [os.path.join(args.out, "bench.md"), os.path.join(args.out, "bench.csv")]
    with open(written[0], "w") as f:
        f.write(text)
    report.write_csv(written[1], op_rows, report.OP_COLUMNS, report.OP_TORCH_COLUMNS)
    if model_rows:
        written.append(os.path.join(args.out, "bench-models.csv"))
        report.write_csv(written[-1], model_rows, report.MODEL_COLUMNS, report.MODEL_TORCH_COLUMNS)
    written.append(os.path.join(args.out, "bench-samples.csv"))
    report.write_samples(written[-1], op_rows, model_rows)
    if not args.no_plots:
        if report.matplotlib_available():
            written += report.plot_ops(op_rows, args.out, machine_line)
            written += report.plot_models(model_rows, args.out, machine_line)
        else:
            _log("matplotlib is not installed: no graphs (pip install 'minigrad[bench]')")
    _log("wrote " + ", ".join(written))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m minigrad.bench",
        description="Time every registered implementation of each CNN op, and whole "
                    "training steps, against the naive baseline and PyTorch.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
