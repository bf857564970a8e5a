"""Benchmarks: every registered implementation of each CNN op at fixed workloads, and
whole training steps, against the naive baseline and PyTorch.

``minigrad bench`` (or ``python -m minigrad.bench``) times forward and backward apart:
one warm-up call per row (reported as "first call", JIT compilation included), then
the median of the timed calls. The sequential "naive" rung runs on a reduced batch and
is scaled linearly to the full one; such rows are marked. When PyTorch is installed the
same workloads run in torch, each torch call right after one of ours, and the ratios
are the medians of those pairs. Speed is measured here, never asserted in tests.

``--device cuda`` times every CUDA version of each op against the op's first version,
minigrad's numba CPU kernel and PyTorch CUDA at LeNet-5's shapes (batch 256) and larger
ones, synchronizing before every clock read, and LeNet-5's training step on the GPU.

One job per module: workloads (the op workloads, found in the op folders'
``ops/<folder>/bench.py``), models (SeedCNN, LeNet-5 and the implementation sets),
timing (warm-up, interleaving, medians), torch_ref (the PyTorch side), machine (what it
ran on), report (Markdown, CSV, graphs), gpu (the cuda bench's rows), runner (the
options).
"""
from .machine import info as machine_info
from .machine import line as machine_line
from .models import CUDA_MODELS, MODELS, Model, implementation_sets, step_case
from .report import (cuda_markdown, cuda_model_table, cuda_op_tables, markdown, model_table,
                     op_table, plot_models, plot_ops, write_csv)
from .runner import add_arguments, main, run, run_models, run_ops
from .timing import SLOW, Case, measure
from .workloads import Workload, all_workloads, benchmarked_ops, op_case, select

__all__ = ["CUDA_MODELS", "Case", "MODELS", "Model", "SLOW", "Workload", "add_arguments",
           "all_workloads", "benchmarked_ops", "cuda_markdown", "cuda_model_table",
           "cuda_op_tables", "implementation_sets", "machine_info", "machine_line", "main",
           "markdown", "measure", "model_table", "op_case", "op_table", "plot_models",
           "plot_ops", "run", "run_models", "run_ops", "select", "step_case", "write_csv"]
