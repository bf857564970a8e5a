"""The CUDA tests: the simulator in CI, a real GPU where there is one.

Under the simulator every GPU thread is a Python thread, so the Hypothesis profile
``cudasim`` draws few examples (shapes are kept small by the tests themselves); on a
real GPU the profile chosen for the whole suite (``ci`` unless HYPOTHESIS_PROFILE says
otherwise) applies unchanged.
"""
import os

import pytest
from hypothesis import HealthCheck, settings
from numba import config, cuda

SIMULATOR = bool(config.ENABLE_CUDASIM)

settings.register_profile("cudasim", derandomize=True, deadline=None, max_examples=6,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])
if SIMULATOR and "HYPOTHESIS_PROFILE" not in os.environ:
    settings.load_profile("cudasim")


def pytest_collection_modifyitems(config, items):
    if cuda.is_available():
        return
    skip = pytest.mark.skip(reason="no CUDA device (set NUMBA_ENABLE_CUDASIM=1 for the simulator)")
    for item in items:
        item.add_marker(skip)
