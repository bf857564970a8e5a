"""Benchmarks: every registered implementation of each CNN op at fixed workloads, and
whole training steps, against the naive baseline and PyTorch.

``minigrad bench`` (or ``python -m minigrad.bench``) times forward and backward apart:
one warm-up call per row (reported as "first call", JIT compilation included), then
the median of the timed calls. The sequential "naive" rung runs on a reduced batch and
is scaled linearly to the full one; such rows are marked. When PyTorch is installed the
same workloads run in torch, each torch call right after one of ours, and the ratios
are the medians of those pairs. Speed is measured here, never asserted in tests.

One job per module: workloads (the op workloads), models (SeedCNN, LeNet-5 and the
implementation sets), timing (warm-up, interleaving, medians), torch_ref (the PyTorch
side), machine (what it ran on), report (Markdown, CSV, graphs), runner (the options).
"""
from .machine import info as machine_info
from .machine import line as machine_line
from .models import MODELS, Model, implementation_sets, step_case
from .report import markdown, model_table, op_table, plot_models, plot_ops, write_csv
from .runner import add_arguments, main, run, run_models, run_ops
from .timing import SLOW, Case, measure
from .workloads import (LARGE_WORKLOADS, LENET_WORKLOADS, WORKLOADS, Workload, conv2d,
                        cross_entropy, matmul, max_pool2d, op_case, select)

__all__ = ["Case", "LARGE_WORKLOADS", "LENET_WORKLOADS", "MODELS", "Model", "SLOW",
           "WORKLOADS", "Workload", "add_arguments", "conv2d", "cross_entropy",
           "implementation_sets", "machine_info", "machine_line", "main", "markdown",
           "matmul", "max_pool2d", "measure", "model_table", "op_case", "op_table",
           "plot_models", "plot_ops", "run", "run_models", "run_ops", "select", "step_case",
           "write_csv"]
