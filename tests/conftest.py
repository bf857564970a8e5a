import os

from hypothesis import HealthCheck, settings

# ci: reproducible and without deadlines (JIT compiles and a busy 2-core machine make
# timings meaningless); dev: fewer, random examples; thorough: many more.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=10)
settings.register_profile("thorough", deadline=None, max_examples=500,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
