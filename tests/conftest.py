"""Suite-wide pytest configuration."""

# Fixture notebooks of the runner tests are inputs (some fail on purpose), not notebooks
# for nbval to execute.
collect_ignore_glob = ["run/fixtures/*"]
