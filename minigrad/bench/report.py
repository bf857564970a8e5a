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
                writer.writerow([r.get("workload", r.get("model")), r["impl"], call, phase,
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


def plot_ops(rows: list[dict], out_dir: str, machine_line: str) -> list[str]:
    """One PNG per op: speedup over naive (fwd+bwd), log scale, a bar per
    implementation per workload, PyTorch as a hatched reference bar."""
    written = []
    for op in dict.fromkeys(r["op"] for r in rows):
        mine = [r for r in rows if r["op"] == op and r["speedup_vs_naive"]]
        if not mine:
            continue
        fig = _figure()
        if fig is None:
            return written
        workloads = list(dict.fromkeys(r["workload"] for r in mine))
        impls = list(dict.fromkeys(r["impl"] for r in mine))
        impls.sort(key=lambda i: i == "torch")
        value = {(r["workload"], r["impl"]): r["speedup_vs_naive"] for r in mine}
        series = {i: [value.get((w, i)) for w in workloads] for i in impls}
        ax = fig.add_subplot()
        _bars(ax, [w.replace(" * ", "\n* ").replace(" @ ", "\n@ ") for w in workloads], series,
              "speedup over naive (forward + backward)", f"{op}: speedup over naive",
              {r["impl"] for r in mine if r["scale"] != 1})
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
    impls = list(dict.fromkeys(r["impl"] for r in rows))
    impls.sort(key=lambda i: i == "torch")
    value = {(r["model"], r["impl"]): r["images_per_s"] for r in rows}
    series = {i: [value.get((m, i)) for m in models] for i in impls}
    ax = fig.add_subplot()
    _bars(ax, models, series, "images/s (forward + backward + SGD)",
          f"Training-step throughput, batch {rows[0]['batch']}",
          {r["impl"] for r in rows if r["scale"] != 1})
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
