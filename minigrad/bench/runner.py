"""The runner: options, then ops and models timed, then the report written."""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

from . import gpu, machine, report, torch_ref
from .models import CUDA_MODELS, MODELS, implementation_sets, step_case
from .timing import measure, raw_samples
from .workloads import benchmarked_ops, op_case, select

DEFAULT_REPEATS, QUICK_REPEATS = 7, 3
DEFAULT_BUDGET_S, QUICK_BUDGET_S = 20.0, 5.0
MODEL_BATCH = 128
# On the GPU a call takes micro- to milliseconds: more repeats, a shorter budget per row
# (it bounds the numba CPU rows and any slow version; the whole run stays within minutes).
CUDA_REPEATS, CUDA_QUICK_REPEATS = 25, 10
CUDA_BUDGET_S, CUDA_QUICK_BUDGET_S = 3.0, 1.0
CUDA_MODEL_BATCH = 256  # the target batch for LeNet-5 on the GPU
TINY_MODEL_BATCH = 2
# where each device's results go by default: the cuda run never overwrites the CPU's
OUT = {"cpu": os.path.join("docs", "benchmarks"),
       "cuda": os.path.join("docs", "benchmarks", "cuda")}


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    ops, cuda_ops = ", ".join(benchmarked_ops("cpu")), ", ".join(benchmarked_ops("cuda"))
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                        help="device whose implementations are timed (default: cpu). cuda: "
                             "every CUDA version of each op against its first version, the "
                             "numba CPU kernel and PyTorch CUDA, LeNet-5 shapes at batch "
                             f"{CUDA_MODEL_BATCH} and larger ones, and LeNet-5's training "
                             "step on the GPU")
    parser.add_argument("--ops", default=None,
                        help=f"comma-separated ops to time (default: all of {ops}; "
                             f"on cuda {cuda_ops})")
    parser.add_argument("--repeats", type=_positive_int, default=None,
                        help=f"timed calls per row after one warm-up, median reported "
                             f"(default: {DEFAULT_REPEATS}; {QUICK_REPEATS} with --quick; "
                             f"on cuda {CUDA_REPEATS} and {CUDA_QUICK_REPEATS})")
    parser.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                        help=f"a row stops early once its timed calls took this long, after "
                             f"at least one (default: {DEFAULT_BUDGET_S:g}; "
                             f"{QUICK_BUDGET_S:g} with --quick; on cuda {CUDA_BUDGET_S:g} "
                             f"and {CUDA_QUICK_BUDGET_S:g})")
    parser.add_argument("--threads", type=_positive_int, default=None,
                        help="threads for minigrad's Numba kernels, PyTorch and, when threadpoolctl "
                             "is installed, NumPy's BLAS (default: Numba's, i.e. the usable "
                             "cores; without threadpoolctl set OPENBLAS_NUM_THREADS)")
    parser.add_argument("--quick", action="store_true",
                        help="LeNet-5 shapes only, fewer repeats")
    parser.add_argument("--tiny", action="store_true",
                        help="tiny shapes and a training step at batch "
                             f"{TINY_MODEL_BATCH} (on cuda the default set only): a smoke test "
                             "of the bench itself, not a measurement. Under Numba's CUDA "
                             "simulator add --no-models (LeNet-5 takes minutes there)")
    parser.add_argument("--out", default=None,
                        help="directory for bench.md, bench.csv, bench-models.csv, "
                             "bench-samples.csv (every timed call) and the graphs "
                             f"(default: {OUT['cpu']}; on cuda {OUT['cuda']})")
    parser.add_argument("--no-torch", action="store_true",
                        help="do not time PyTorch even when it is installed")
    parser.add_argument("--no-models", action="store_true",
                        help="skip the training-step throughput of the whole models")
    parser.add_argument("--no-plots", action="store_true", help="do not draw graphs")
    parser.add_argument("--resources", action="store_true",
                        help="with --device cuda: no timing; compile every kernel "
                             "specialisation the API launches for the real CUDA target "
                             "(sm_80, sm_90: NVVM and ptxas, no GPU needed) and write the "
                             "registers/spills/shared-memory table, resources.md and "
                             "resources.csv, to --out (default: "
                             f"{OUT['cuda']}); exit 1 on a compile error or a spill in a "
                             "default kernel")
    parser.add_argument("--host-cost", action="store_true",
                        help="with --device cuda: no timing of kernels; count what a "
                             "LeNet-5 training step at batch 256 asks of the GPU (launches, "
                             "allocations, copies, waits) and its host time, on a fake GPU "
                             "(no GPU needed)")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


OP_PHASES = ("forward", "backward")
MODEL_PHASES = ("forward", "backward", "sgd")


_raw = raw_samples  # every timed call: (call, phase, ms, the paired torch ms or None)


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


def _parse_ops(text: str | None, device: str = "cpu") -> list[str] | None:
    if text is None:
        return None
    known = benchmarked_ops(device)
    ops = [o.strip() for o in text.split(",") if o.strip()]
    unknown = [o for o in ops if o not in known]
    if unknown or not ops:
        raise SystemExit(f"minigrad bench: --ops: unknown or empty {unknown or text!r}; "
                         f"benchmarked ops: {', '.join(known)}")
    return ops


def run(args: argparse.Namespace) -> int:
    """Run the benchmark as the parsed options say; print the Markdown, write the files."""
    if args.resources:
        if args.device != "cuda":
            raise SystemExit("minigrad bench --resources: add --device cuda (it compiles the "
                             "CUDA kernels)")
        from . import resources
        return resources.main(Path(args.out or OUT["cuda"]), log=_log)
    if args.host_cost:
        if args.device != "cuda":
            raise SystemExit("minigrad bench --host-cost: add --device cuda")
        from . import host_cost
        return host_cost.main([])
    if args.device != "cpu":
        return run_cuda(args)
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

    workloads = select(ops, tiny=True) if args.tiny else select(ops, args.quick)
    op_rows = run_ops(workloads, repeats, budget, torch, args.device)
    model_rows = [] if args.no_models else run_models(
        MODELS, repeats, budget, torch, TINY_MODEL_BATCH if args.tiny else MODEL_BATCH,
        device=args.device)
    load_after = machine.load_average()
    settings = (f"Settings: device {args.device}, {_size(args)}"
                f"median of up to {repeats} timed calls after a warm-up (a row stops early "
                f"after {budget:g} s), minigrad (Numba) threads {threads}"
                + (f", PyTorch threads {info['torch_threads']}, measured interleaved"
                   if torch is not None else ", no PyTorch reference")
                + (f"; load average (1/5/15 min) {load_before} before, {load_after} after"
                   if load_before else "") + ".")
    text = report.markdown(machine_line, settings, op_rows, model_rows)
    print(text)
    _write(args, text, op_rows, model_rows, machine_line,
           (report.OP_COLUMNS, report.OP_TORCH_COLUMNS),
           (report.MODEL_COLUMNS, report.MODEL_TORCH_COLUMNS), "speedup_vs_naive")
    return 0


def _size(args) -> str:
    return "tiny shapes (a smoke test), " if args.tiny else (
        "quick (LeNet-5 shapes), " if args.quick else "")


def _write(args, text: str, op_rows: list[dict], model_rows: list[dict], machine_line: str,
           op_columns: tuple, model_columns: tuple, speedup_key: str) -> None:
    """bench.md, the CSV files and the graphs, into ``args.out`` (the device's default
    folder when not given)."""
    out = args.out or OUT[args.device]
    os.makedirs(out, exist_ok=True)
    written = [os.path.join(out, "bench.md"), os.path.join(out, "bench.csv")]
    with open(written[0], "w") as f:
        f.write(text)
    report.write_csv(written[1], op_rows, *op_columns)
    if model_rows:
        written.append(os.path.join(out, "bench-models.csv"))
        report.write_csv(written[-1], model_rows, *model_columns)
    written.append(os.path.join(out, "bench-samples.csv"))
    report.write_samples(written[-1], op_rows, model_rows)
    if not args.no_plots:
        if report.matplotlib_available():
            written += report.plot_ops(op_rows, out, machine_line, key=speedup_key)
            written += report.plot_models(model_rows, out, machine_line)
        else:
            _log("matplotlib is not installed: no graphs (pip install 'minigrad[bench]')")
    _log("wrote " + ", ".join(written))


def run_cuda(args: argparse.Namespace) -> int:
    """``--device cuda``: the GPU versions against each other, the numba CPU kernels and
    PyTorch CUDA (see minigrad.bench.gpu); a clear error where there is no GPU."""
    from minigrad.device import device as parse_device
    try:
        parse_device(args.device)
    except RuntimeError as e:
        raise SystemExit(f"minigrad bench --device {args.device}: {e}") from None
    started = time.perf_counter()
    load_before = machine.load_average()
    ops = _parse_ops(args.ops, "cuda")
    repeats = args.repeats or (CUDA_QUICK_REPEATS if args.quick or args.tiny else CUDA_REPEATS)
    budget = args.budget if args.budget is not None else (
        CUDA_QUICK_BUDGET_S if args.quick or args.tiny else CUDA_BUDGET_S)
    threads = machine.set_threads(args.threads) if args.threads else machine.threads()
    torch = None if args.no_torch else torch_ref.load(threads)
    if torch is None and not args.no_torch:
        _log("PyTorch is not installed: ours/torch is n/a (pip install torch, with CUDA)")
    info = machine.info(torch, "cuda")
    if torch is not None and not torch_ref.has_cuda(torch):
        _log(f"PyTorch {torch.__version__} has no CUDA: ours/torch is n/a")
        torch = None
    machine_line = machine.line(info)
    _log(f"Machine: {machine_line}")

    failures: list = []
    workloads = select(ops, args.quick, device="cuda", tiny=args.tiny)
    with warnings.catch_warnings():
        # Numba warns at each launch site whose grid is smaller than the GPU (LeNet-5's
        # small layers): the bench measures exactly that. Its other performance
        # warnings (a host array passed to a kernel, ...) still show.
        warnings.filterwarnings("ignore", message="Grid size .* GPU under-utilization")
        op_rows = gpu.run_ops(workloads, repeats, budget, torch, _log, failures)
        model_rows = [] if args.no_models else gpu.run_models(
            CUDA_MODELS, repeats, budget, torch,
            TINY_MODEL_BATCH if args.tiny else CUDA_MODEL_BATCH,
            sets=["default"] if args.tiny else None, log=_log, failures=failures)
    minutes = (time.perf_counter() - started) / 60
    load_after = machine.load_average()
    settings = (f"Settings: device cuda, {_size(args)}median of up to {repeats} timed calls "
                f"after a warm-up (a row stops early after {budget:g} s), synchronized before "
                f"every clock read; CPU rows: minigrad (Numba) threads {threads}"
                + ("; PyTorch CUDA measured interleaved" if torch is not None
                   else "; no PyTorch CUDA reference (n/a)")
                + (f"; load average (1/5/15 min) {load_before} before, {load_after} after"
                   if load_before else "")
                + f"; the run took {minutes:.1f} min.")
    text = report.cuda_markdown(machine_line, settings, op_rows, model_rows,
                                torch is not None, failures)
    print(text)
    _write(args, text, op_rows, model_rows, machine_line, (report.CUDA_OP_COLUMNS, []),
           (report.CUDA_MODEL_COLUMNS, []), "speedup_vs_baseline")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m minigrad.bench",
        description="Time every registered implementation of each CNN op, and whole "
                    "training steps, against the naive baseline and PyTorch.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
