"""copy_ in NumPy: ``dst[...] = src``."""
from __future__ import annotations

import numpy as np


def forward(g, dst, src):
    np.copyto(dst, src)
    return None, None


backward = None  # an in-place write, off the tape
