"""Shared test configuration: a reproducible hypothesis profile."""

import os

from hypothesis import HealthCheck, settings

# Derandomised so that CI runs are reproducible; deadline off because JIT warm-up
# and a shared 2-core machine make single examples slow now and then.
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
