"""Test-wide settings."""

import os

from hypothesis import settings

# The same examples on every run: a red CI then always means a real regression and can be
# reproduced. Explore new examples locally with HYPOTHESIS_PROFILE=explore.
settings.register_profile("default", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
