"""max_pool2d's benchmark workloads, for ``minigrad bench`` (see
minigrad/bench/workloads.py)."""
from __future__ import annotations

import numpy as np

from minigrad.bench.workloads import BOTH, CPU, CUDA, Workload, seeded_rng

ORDER = 20  # LeNet-5's pooling layers


def max_pool2d(batch, channels, hw, kernel=2, reduced_batch=8, suite="lenet",
               devices=CPU) -> Workload:
    """A kernel x kernel max over x (batch, channels, hw, hw), stride kernel."""
    def inputs(b):
        # distinct values: no ties, whose gradient routing frameworks may choose differently
        x = seeded_rng().permutation(b * channels * hw * hw).reshape(b, channels, hw, hw)
        return {"x": (x.astype(np.float32), True)}

    def call(F, t):
        return F.max_pool2d(t["x"], kernel)

    return Workload(f"max_pool2d {kernel} on {batch}x{channels}x{hw}x{hw}", "max_pool2d",
                    batch, reduced_batch, inputs, call, suite, devices)


def workloads() -> list[Workload]:
    return [
        max_pool2d(128, 6, 28, reduced_batch=8),  # LeNet-5's first pooling, batch 128
        max_pool2d(64, 64, 32, reduced_batch=2, suite="large"),
        # On cuda: batch 256, LeNet-5's second pooling too, nothing scaled.
        max_pool2d(256, 6, 28, reduced_batch=256, devices=CUDA),
        max_pool2d(256, 16, 10, reduced_batch=256, devices=CUDA),
        max_pool2d(64, 64, 32, reduced_batch=64, suite="large", devices=CUDA),
        max_pool2d(2, 2, 4, reduced_batch=1, suite="tiny", devices=BOTH),
    ]
