"""dropout_mask in NumPy: uniform numbers from the generator, kept below 1 - p."""
from __future__ import annotations

import numpy as np


def forward(g):
    """mask = (u < 1 - p) / (1 - p) in ``g.dtype``, u ~ U[0, 1) of ``g.shape``; zeros
    for p = 1 (nothing drawn)."""
    if g.p == 1.0:
        return np.zeros(g.shape, dtype=g.dtype), None
    keep = g.generator.random(g.shape) < (1.0 - g.p)
    return keep.astype(g.dtype) / np.asarray(1.0 - g.p, dtype=g.dtype), None


backward = None  # a mask is not differentiable: dropout multiplies by it on the tape
