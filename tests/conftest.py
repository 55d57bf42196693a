"""Suite-wide pytest configuration."""

import os

from hypothesis import settings

# Fixture notebooks of the runner tests are inputs (some fail on purpose), not notebooks
# for nbval to execute.
collect_ignore_glob = ["run/fixtures/*"]

# CI runs the property tests derandomized (the same examples every run, so a red CI
# is reproducible) and without per-example deadlines (CI machines are shared and slow).
# Developers get hypothesis' random exploration, which is how the rounding-noise bugs in
# the kappa SEs were found.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
