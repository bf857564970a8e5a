"""softmax's, log_softmax's and cross_entropy's benchmark workloads, for ``minigrad
bench`` (see minigrad/bench/workloads.py)."""
from __future__ import annotations

import numpy as np

from minigrad.bench.workloads import BOTH, CPU, CUDA, Workload, normal, seeded_rng

ORDER = 40  # LeNet-5's loss


def cross_entropy(batch, classes, reduced_batch=128, suite="lenet", devices=CPU) -> Workload:
    """The mean cross-entropy of (batch, classes) logits against int64 targets."""
    def inputs(b):
        rng = seeded_rng()
        return {"logits": (normal(rng, b, classes), True),
                "target": (rng.integers(0, classes, size=b).astype(np.int64), False)}

    def call(F, t):
        return F.cross_entropy(t["logits"], t["target"])

    return Workload(f"cross_entropy {batch}x{classes}", "cross_entropy",
                    batch, reduced_batch, inputs, call, suite, devices)


def _along_rows(op: str):
    """softmax or log_softmax over the classes of (batch, classes) logits."""
    def make(batch, classes, reduced_batch=128, suite="lenet", devices=CPU) -> Workload:
        def inputs(b):
            return {"x": (normal(seeded_rng(), b, classes), True)}

        def call(F, t):
            return getattr(F, op)(t["x"], dim=1)

        return Workload(f"{op} {batch}x{classes}", op, batch, reduced_batch, inputs, call,
                        suite, devices)
    make.__name__ = op
    make.__doc__ = f"{op} of (batch, classes) logits along dim 1."
    return make


softmax = _along_rows("softmax")
log_softmax = _along_rows("log_softmax")


def workloads() -> list[Workload]:
    return [
        cross_entropy(128, 10, reduced_batch=128),  # LeNet-5's loss at batch 128
        cross_entropy(4096, 1000, reduced_batch=64, suite="large"),
        # On cuda: batch 256, nothing scaled, and softmax and log_softmax too, which have
        # CUDA versions of their own (on the CPU the report times cross_entropy only).
        softmax(256, 10, reduced_batch=256, devices=CUDA),
        log_softmax(256, 10, reduced_batch=256, devices=CUDA),
        cross_entropy(256, 10, reduced_batch=256, devices=CUDA),
        softmax(4096, 1000, reduced_batch=4096, suite="large", devices=CUDA),
        log_softmax(4096, 1000, reduced_batch=4096, suite="large", devices=CUDA),
        cross_entropy(4096, 1000, reduced_batch=4096, suite="large", devices=CUDA),
        softmax(3, 5, reduced_batch=3, suite="tiny", devices=CUDA),
        log_softmax(3, 5, reduced_batch=3, suite="tiny", devices=CUDA),
        cross_entropy(3, 5, reduced_batch=3, suite="tiny", devices=BOTH),
    ]
