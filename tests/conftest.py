"""Shared pytest configuration: Hypothesis profiles (derandomised in CI)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The PostgreSQL fixtures (pg_server, pg_dsn): tests/service/pg_fixtures.py.
pytest_plugins = ["pg_fixtures"]

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
