"""avg_pool2d's and adaptive_avg_pool2d's benchmark workloads, for ``minigrad bench``
(see minigrad/bench/workloads.py)."""
from __future__ import annotations

from minigrad.bench.workloads import BOTH, CPU, CUDA, Workload, normal, seeded_rng

ORDER = 30  # pooling, after max_pool2d: the classic LeNet-5's subsampling layers


def _planes(channels, hw):
    """inputs(b): standard-normal x (b, channels, hw, hw)."""
    def inputs(b):
        return {"x": (normal(seeded_rng(), b, channels, hw, hw), True)}
    return inputs


def avg_pool2d(batch, channels, hw, kernel=2, reduced_batch=8, suite="lenet",
               devices=CPU) -> Workload:
    """A kernel x kernel mean over x (batch, channels, hw, hw), stride kernel."""
    def call(F, t):
        return F.avg_pool2d(t["x"], kernel)

    return Workload(f"avg_pool2d {kernel} on {batch}x{channels}x{hw}x{hw}", "avg_pool2d",
                    batch, reduced_batch, _planes(channels, hw), call, suite, devices)


def adaptive_avg_pool2d(batch, channels, hw, size, reduced_batch=8, suite="lenet",
                        devices=CPU) -> Workload:
    """x (batch, channels, hw, hw) averaged down to size = (Ho, Wo)."""
    def call(F, t):
        return F.adaptive_avg_pool2d(t["x"], size)

    return Workload(f"adaptive_avg_pool2d to {size[0]}x{size[1]} on "
                    f"{batch}x{channels}x{hw}x{hw}", "adaptive_avg_pool2d", batch,
                    reduced_batch, _planes(channels, hw), call, suite, devices)


def workloads() -> list[Workload]:
    # The naive rung costs about 8 ms per image at LeNet-5's first layer and 60 ms at
    # the large one, forward and backward (max_pool2d's reduced batches fit).
    return [
        # LeNet-5 as first written averages: its first subsampling layer at batch 128, and
        # its second as an adaptive pool (as torchvision's classifiers end their features)
        avg_pool2d(128, 6, 28, reduced_batch=8),
        adaptive_avg_pool2d(128, 16, 10, (5, 5), reduced_batch=8),
        avg_pool2d(64, 64, 32, reduced_batch=2, suite="large"),
        # global average pooling, as a ResNet's head
        adaptive_avg_pool2d(64, 64, 8, (1, 1), reduced_batch=8, suite="large"),
        # On cuda: batch 256, both subsampling layers, nothing scaled.
        avg_pool2d(256, 6, 28, reduced_batch=256, devices=CUDA),
        avg_pool2d(256, 16, 10, reduced_batch=256, devices=CUDA),
        adaptive_avg_pool2d(256, 16, 10, (5, 5), reduced_batch=256, devices=CUDA),
        avg_pool2d(64, 64, 32, reduced_batch=64, suite="large", devices=CUDA),
        adaptive_avg_pool2d(64, 64, 8, (1, 1), reduced_batch=64, suite="large", devices=CUDA),
        # an odd side (the last row and column fall outside every window) and, adaptive,
        # overlapping windows (5 -> 2 rows: [0, 3) and [2, 5))
        avg_pool2d(2, 2, 5, reduced_batch=1, suite="tiny", devices=BOTH),
        adaptive_avg_pool2d(2, 2, 5, (2, 3), reduced_batch=1, suite="tiny", devices=BOTH),
    ]
