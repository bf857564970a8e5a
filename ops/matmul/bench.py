"""matmul's benchmark workloads, for ``minigrad bench`` (see minigrad/bench/workloads.py)."""
from __future__ import annotations

from minigrad.bench.workloads import BOTH, CPU, CUDA, Workload, normal, seeded_rng

ORDER = 50  # LeNet-5's fully connected layers, after the loss as the report always had it


def matmul(batch, k, m, reduced_batch=4, suite="lenet", devices=CPU) -> Workload:
    """(batch, k) @ (k, m); the batch is the rows of the left operand."""
    def inputs(b):
        rng = seeded_rng()
        return {"a": (normal(rng, b, k), True), "b": (normal(rng, k, m), True)}

    def call(F, t):
        return t["a"] @ t["b"]

    return Workload(f"matmul {batch}x{k} @ {k}x{m}", "matmul", batch, reduced_batch,
                    inputs, call, suite, devices)


def workloads() -> list[Workload]:
    return [
        matmul(128, 400, 120, reduced_batch=4),  # LeNet-5's first fully connected layer
        matmul(512, 512, 512, reduced_batch=2, suite="large"),
        matmul(256, 400, 120, reduced_batch=256, devices=CUDA),  # nothing scaled on cuda
        matmul(512, 512, 512, reduced_batch=512, suite="large", devices=CUDA),
        matmul(3, 5, 4, reduced_batch=1, suite="tiny", devices=BOTH),
    ]
