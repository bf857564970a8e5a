"""conv2d's benchmark workloads, for ``minigrad bench`` (see minigrad/bench/workloads.py)."""
from __future__ import annotations

from minigrad.bench.workloads import BOTH, CPU, CUDA, Workload, normal, seeded_rng

ORDER = 10  # LeNet-5's first layer


def conv2d(batch, cin, hw, cout, k, padding=0, reduced_batch=2, suite="lenet",
           devices=CPU) -> Workload:
    """x (batch, cin, hw, hw) * weight (cout, cin, k, k) + bias (cout,)."""
    def inputs(b):
        rng = seeded_rng()
        return {"x": (normal(rng, b, cin, hw, hw), True),
                "weight": (normal(rng, cout, cin, k, k), True),
                "bias": (normal(rng, cout), True)}

    def call(F, t):
        return F.conv2d(t["x"], t["weight"], t["bias"], padding=padding)

    pad = f" pad {padding}" if padding else ""
    return Workload(f"conv {batch}x{cin}x{hw}x{hw} * {cout}x{cin}x{k}x{k}{pad}", "conv2d",
                    batch, reduced_batch, inputs, call, suite, devices)


def workloads() -> list[Workload]:
    return [
        # LeNet-5's two convolutions at batch 128 (issue 3)
        conv2d(128, 1, 28, 6, 5, padding=2, reduced_batch=2),
        conv2d(128, 6, 14, 16, 5, reduced_batch=2),
        # The naive conv here costs about 35 s per image, forward and backward: one image.
        conv2d(64, 32, 32, 64, 3, padding=1, reduced_batch=1, suite="large"),
        # On cuda LeNet-5's batch is 256 and nothing is scaled (reduced_batch = batch).
        conv2d(256, 1, 28, 6, 5, padding=2, reduced_batch=256, devices=CUDA),
        conv2d(256, 6, 14, 16, 5, reduced_batch=256, devices=CUDA),
        conv2d(64, 32, 32, 64, 3, padding=1, reduced_batch=64, suite="large", devices=CUDA),
        # sides that are not a multiple of any block size
        conv2d(2, 2, 5, 3, 3, padding=1, reduced_batch=1, suite="tiny", devices=BOTH),
    ]
