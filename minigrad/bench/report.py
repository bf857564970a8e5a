"""The report: Markdown tables, CSV files and matplotlib speedup graphs from the rows
the runner produced (plain dicts, one per implementation per workload or model)."""
from __future__ import annotations

import csv
import os
import re
import textwrap

OP_COLUMNS = ["suite", "op", "workload", "impl", "default", "batch", "measured_batch", "scale",
              "samples", "forward_ms", "backward_ms", "total_ms", "first_call_ms",
              "speedup_vs_naive"]
MODEL_COLUMNS = ["model", "impl", "batch", "measured_batch", "scale", "samples", "forward_ms",
                 "backward_ms", "sgd_ms", "step_ms", "images_per_s", "first_step_ms",
                 "speedup_vs_naive"]
# present only when PyTorch was measured: ours / torch, paired medians
OP_TORCH_COLUMNS = ["torch_forward_ratio", "torch_backward_ratio", "torch_ratio"]
MODEL_TORCH_COLUMNS = ["torch_ratio"]
# --device cuda: every CUDA version against the op's first, the CPU kernel and PyTorch
# CUDA; the torch columns are always there (empty when torch has no CUDA).
CUDA_OP_COLUMNS = ["suite", "op", "workload", "device", "impl", "default", "batch", "samples",
                   "forward_ms", "backward_ms", "total_ms", "first_call_ms", "baseline",
                   "speedup_vs_baseline", "cpu_impl", "speedup_vs_cpu"] + OP_TORCH_COLUMNS
CUDA_MODEL_COLUMNS = ["model", "device", "impl", "uses", "batch", "samples", "forward_ms",
                      "backward_ms", "sgd_ms", "step_ms", "images_per_s", "first_step_ms",
                      "speedup_vs_cpu"] + MODEL_TORCH_COLUMNS


def _num(v) -> str:
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 0.1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def _x(v) -> str:
    return "-" if v is None else f"{_num(v)}x"


def _impl(r) -> str:
    name = r["impl"]
    if r.get("default"):
        name += " (default)"
    if r["scale"] != 1:
        name += f" (batch {r['measured_batch']}, x{r['scale']:g})"
    return name


def _label(r) -> str:
    """A row's name in the graphs and the samples file: the implementation, or e.g. "numba (CPU)" in the
    cuda bench where a CPU row sits beside the GPU versions."""
    return r.get("label", r["impl"])


def _has_torch(rows) -> bool:
    return any(r["impl"] == "torch" for r in rows)


def op_table(rows: list[dict]) -> str:
    torch = _has_torch(rows)
    head = ["workload", "impl", "fwd ms", "bwd ms", "fwd+bwd ms", "vs naive"]
    if torch:
        head += ["ours/torch fwd", "ours/torch bwd", "ours/torch"]
    head += ["first call ms", "n"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(head) - 2)]
    for r in rows:
        cells = [r["workload"], _impl(r), _num(r["forward_ms"]), _num(r["backward_ms"]),
                 _num(r["total_ms"]), _x(r["speedup_vs_naive"])]
        if torch:
            cells += [_x(r.get(c)) for c in OP_TORCH_COLUMNS]
        cells += [_num(r["first_call_ms"]), str(r["samples"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def model_table(rows: list[dict]) -> str:
    torch = _has_torch(rows)
    head = ["model", "impl set", "fwd ms", "bwd ms", "sgd ms", "step ms", "images/s", "vs naive"]
    if torch:
        head += ["ours/torch"]
    head += ["first step ms", "n"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(head) - 2)]
    for r in rows:
        cells = [r["model"], _impl(r), _num(r["forward_ms"]), _num(r["backward_ms"]),
                 _num(r["sgd_ms"]), _num(r["step_ms"]), _num(r["images_per_s"]),
                 _x(r["speedup_vs_naive"])]
        if torch:
            cells.append(_x(r.get("torch_ratio")))
        cells += [_num(r["first_step_ms"]), str(r["samples"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


NOTES = ("Times are medians at the full batch, in ms; rows marked (batch b, xs) ran on batch "
         "b and are scaled by s (SGD included, a slight overestimate). \"vs naive\" is the "
         "speedup over the naive row. \"first call\" is the warm-up, JIT compilation "
         "included, unscaled; n is the number of timed calls.")
TORCH_NOTE = ("\"ours/torch\" is the median over rounds of our time / PyTorch's, each "
              "PyTorch call run right after ours (above 1: slower than PyTorch).")


def markdown(machine_line: str, settings: str, op_rows: list[dict],
             model_rows: list[dict]) -> str:
    parts = [f"Machine: {machine_line}", "", settings, ""]
    if op_rows:
        parts += ["## Ops (forward and backward)", "", op_table(op_rows), ""]
    if model_rows:
        parts += ["## Training step (forward + backward + SGD, batch "
                  f"{model_rows[0]['batch']})", "", model_table(model_rows), ""]
    torch = _has_torch(op_rows) or _has_torch(model_rows)
    parts += [NOTES + (" " + TORCH_NOTE if torch else ""), ""]
    return "\n".join(parts)


# ---- the cuda bench ----------------------------------------------------------------
def _ratio(r, column: str, torch: bool) -> str:
    return _x(r.get(column)) if torch else "n/a"


def _cuda_impl(r) -> str:
    return r.get("label", r["impl"]) + (" (default)" if r.get("default") else "")


def cuda_op_tables(rows: list[dict], torch: bool) -> str:
    """One table per op: each CUDA version, the CPU kernel and PyTorch CUDA per workload,
    with the speedups over the op's first CUDA version and over the CPU kernel."""
    parts = []
    for op in dict.fromkeys(r["op"] for r in rows):
        mine = [r for r in rows if r["op"] == op]
        base, cpu = mine[0]["baseline"], mine[0]["cpu_impl"]
        head = ["workload", "impl", "fwd ms", "bwd ms", "fwd+bwd ms", f"vs {base}",
                f"vs CPU {cpu}" if cpu else "vs CPU", "ours/torch fwd", "ours/torch bwd",
                "ours/torch", "first call ms", "n"]
        lines = [f"### {op}", "", "| " + " | ".join(head) + " |",
                 "|---|---|" + "---:|" * (len(head) - 2)]
        for r in mine:
            cells = [r["workload"], _cuda_impl(r), _num(r["forward_ms"]), _num(r["backward_ms"]),
                     _num(r["total_ms"]), _x(r["speedup_vs_baseline"]), _x(r["speedup_vs_cpu"])]
            cells += [_ratio(r, c, torch) for c in OP_TORCH_COLUMNS]
            cells += [_num(r["first_call_ms"]), str(r["samples"])]
            lines.append("| " + " | ".join(cells) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def cuda_model_table(rows: list[dict], torch: bool) -> str:
    head = ["model", "impl set", "fwd ms", "bwd ms", "sgd ms", "step ms", "images/s",
            "vs CPU", "ours/torch", "first step ms", "n"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(head) - 2)]
    for r in rows:
        name = r.get("label", r["impl"]) + (f" ({r['uses']})" if r.get("uses") else "")
        cells = [r["model"], name, _num(r["forward_ms"]), _num(r["backward_ms"]),
                 _num(r["sgd_ms"]), _num(r["step_ms"]), _num(r["images_per_s"]),
                 _x(r["speedup_vs_cpu"]), _ratio(r, "torch_ratio", torch),
                 _num(r["first_step_ms"]), str(r["samples"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


CUDA_NOTES = ("Times are medians in ms at the full batch, each clock read after a "
              "synchronize (kernels launch asynchronously). \"vs <version>\" is the speedup "
              "over the op's first CUDA version (its simplest), \"vs CPU\" over minigrad's CPU "
              "kernel (numba) at the same workload, measured in the same run. \"first call\" "
              "is the warm-up: for a version's first workload it includes the Numba CUDA "
              "JIT compilation (the later workloads reuse the compiled kernels, except where "
              "a kernel is specialised on the shape); n is the number of timed calls.")
CUDA_TORCH_NOTE = ("\"ours/torch\" is the median over rounds of our time / PyTorch CUDA's "
                   "(cuDNN, cuBLAS), each PyTorch call run right after ours (above 1: slower "
                   "than PyTorch).")
CUDA_NO_TORCH_NOTE = "\"ours/torch\" is n/a: PyTorch with CUDA was not available in this run."


def cuda_markdown(machine_line: str, settings: str, op_rows: list[dict],
                  model_rows: list[dict], torch: bool, failures: list = ()) -> str:
    parts = [f"Machine: {machine_line}", "", settings, ""]
    if op_rows:
        parts += ["## Ops on the GPU (forward and backward)", "",
                  cuda_op_tables(op_rows, torch), ""]
    if model_rows:
        parts += ["## Training step on the GPU (forward + backward + SGD, batch "
                  f"{model_rows[0]['batch']})", "", cuda_model_table(model_rows, torch), "",
                  "An implementation set uses its version for every op that has one of "
                  "that name (listed) and the default elsewhere; \"default\" is the "
                  "registry's defaults; the CPU row is minigrad's CPU defaults.", ""]
    if failures:
        parts += ["## Not measured", ""] + [f"- {what}: {why}" for what, why in failures] + [""]
    parts += [CUDA_NOTES + " " + (CUDA_TORCH_NOTE if torch else CUDA_NO_TORCH_NOTE), ""]
    return "\n".join(parts)


def write_csv(path: str, rows: list[dict], columns: list[str], torch_columns: list[str]) -> None:
    cols = columns + (torch_columns if _has_torch(rows) else [])
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({c: ("" if r.get(c) is None else r.get(c)) for c in cols})


SAMPLE_COLUMNS = ["workload", "impl", "call", "phase", "ms", "torch_ms"]


def write_samples(path: str, op_rows: list[dict], model_rows: list[dict]) -> None:
    """Every timed call, one line per phase: ms at the full batch (scaled like its row)
    and, when PyTorch ran, the PyTorch call timed right after it (for the torch rows
    themselves: every PyTorch call, pooled over the implementations)."""
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(SAMPLE_COLUMNS)
        for r in op_rows + model_rows:
            for call, phase, ms, torch_ms in r.get("raw", ()):
                writer.writerow([r.get("workload", r.get("model")), _label(r), call, phase,
                                 f"{ms:.6g}", "" if torch_ms is None else f"{torch_ms:.6g}"])


# ---- graphs -----------------------------------------------------------------------
def _figure():
    """A matplotlib Figure on the Agg canvas (no pyplot, no display, no global state),
    or None when matplotlib is not installed."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    fig = Figure(figsize=(9, 4.8), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _bars(ax, groups: list[str], series: dict[str, list], ylabel: str, title: str,
          scaled: set[str]) -> None:
    n = len(series)
    width = 0.8 / max(n, 1)
    colors = ["#4C72B0", "#55A868", "#C44E52", "#8172B2", "#CCB974", "#64B5CD"]
    for i, (name, values) in enumerate(series.items()):
        xs = [g + (i - (n - 1) / 2) * width for g in range(len(groups))]
        pairs = [(x, v) for x, v in zip(xs, values) if v]
        if not pairs:
            continue
        style = ({"color": "0.75", "hatch": "//", "edgecolor": "0.4"} if name == "torch"
                 else {"color": colors[i % len(colors)]})
        label = f"{name} (reduced batch, scaled)" if name in scaled else name
        bars = ax.bar([x for x, _ in pairs], [v for _, v in pairs], width, label=label, **style)
        ax.bar_label(bars, labels=[_num(v) for _, v in pairs], fontsize=7, padding=1)
    ax.set_yscale("log")
    ax.set_xticks(range(len(groups)), groups, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)


def _footer(fig, machine_line: str) -> None:
    fig.supxlabel(textwrap.fill(machine_line, 170), fontsize=6, color="0.4")


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def plot_ops(rows: list[dict], out_dir: str, machine_line: str,
             key: str = "speedup_vs_naive") -> list[str]:
    """One PNG per op: speedup over the baseline (fwd+bwd; naive, or with
    ``key="speedup_vs_baseline"`` the op's first CUDA version), log scale, a bar per
    implementation per workload, PyTorch as a hatched reference bar."""
    written = []
    for op in dict.fromkeys(r["op"] for r in rows):
        mine = [r for r in rows if r["op"] == op and r.get(key)]
        if not mine:
            continue
        fig = _figure()
        if fig is None:
            return written
        base = mine[0].get("baseline", "naive")
        where = f" on {mine[0]['device']}" if mine[0].get("baseline") else ""
        workloads = list(dict.fromkeys(r["workload"] for r in mine))
        impls = list(dict.fromkeys(_label(r) for r in mine))
        impls.sort(key=lambda i: i == "torch")
        value = {(r["workload"], _label(r)): r[key] for r in mine}
        series = {i: [value.get((w, i)) for w in workloads] for i in impls}
        ax = fig.add_subplot()
        _bars(ax, [w.replace(" * ", "\n* ").replace(" @ ", "\n@ ") for w in workloads], series,
              f"speedup over {base} (forward + backward)", f"{op}{where}: speedup over {base}",
              {_label(r) for r in mine if r["scale"] != 1})
        ax.axhline(1, color="0.5", lw=0.8)
        _footer(fig, machine_line)
        path = os.path.join(out_dir, f"speedup-{_slug(op)}.png")
        fig.savefig(path, dpi=120)
        written.append(path)
    return written


def plot_models(rows: list[dict], out_dir: str, machine_line: str) -> list[str]:
    """Training-step throughput (images/s), log scale, a bar per implementation set."""
    fig = _figure() if rows else None
    if fig is None:
        return []
    models = list(dict.fromkeys(r["model"] for r in rows))
    impls = list(dict.fromkeys(_label(r) for r in rows))
    impls.sort(key=lambda i: i == "torch")
    value = {(r["model"], _label(r)): r["images_per_s"] for r in rows}
    series = {i: [value.get((m, i)) for m in models] for i in impls}
    ax = fig.add_subplot()
    where = " on the GPU" if any(r.get("device") == "cuda" for r in rows) else ""
    _bars(ax, models, series, "images/s (forward + backward + SGD)",
          f"Training-step throughput{where}, batch {rows[0]['batch']}",
          {_label(r) for r in rows if r["scale"] != 1})
    _footer(fig, machine_line)
    path = os.path.join(out_dir, "models.png")
    fig.savefig(path, dpi=120)
    return [path]


def matplotlib_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True
