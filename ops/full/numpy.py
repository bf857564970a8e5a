"""full in NumPy: ``np.full``."""
from __future__ import annotations

import numpy as np


def forward(g):
    return np.full(g.shape, g.value, dtype=g.dtype), None


backward = None  # makes an array from nothing, off the tape
