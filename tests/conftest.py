import os

import pytest
from hypothesis import HealthCheck, settings

from minigrad.dispatch import registry

# ci: reproducible and without deadlines (JIT compiles and a busy 2-core machine make
# timings meaningless); dev: fewer, random examples; thorough: many more.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=10)
settings.register_profile("thorough", deadline=None, max_examples=500,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def restore_registry():
    """Ops registered and defaults changed by a test disappear after it."""
    registry._discover()
    table = {key: dict(entry) for key, entry in registry._table.items()}
    defaults = dict(registry._defaults)
    yield
    registry._table.clear()
    registry._table.update(table)
    registry._defaults.clear()
    registry._defaults.update(defaults)
    registry._resolved.clear()


# tests/cuda needs the CUDA target: Numba's simulator (NUMBA_ENABLE_CUDASIM=1, read when
# numba is first imported, so it runs in its own process: tests/test_cuda_suite.py) or a
# GPU (MINIGRAD_TEST_CUDA=1 pytest tests/cuda). This process has numba loaded already.
if not (os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" or os.environ.get("MINIGRAD_TEST_CUDA") == "1"):
    collect_ignore = ["cuda"]
