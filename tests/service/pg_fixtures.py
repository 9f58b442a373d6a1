"""Pytest fixtures: a real PostgreSQL server for the whole session (a plugin loaded by
``tests/conftest.py``, so that every test folder can use ``pg_server`` and ``pg_dsn``).

The server (see ``pg_server.py``) starts on first use and stops at the end of the session.
Where it cannot start, the tests that need it fail; on a developer's machine
``RFC6238_SKIP_POSTGRES=1`` turns that into a skip. In CI (``CI=true``) it is always a failure.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest
from pg_server import PostgresServer, Unavailable

_names = itertools.count()


def _unavailable(reason: str) -> None:
    if os.environ.get("RFC6238_SKIP_POSTGRES") == "1" and os.environ.get("CI") != "true":
        pytest.skip(f"PostgreSQL skipped (RFC6238_SKIP_POSTGRES=1): {reason}")
    pytest.fail(f"PostgreSQL is required for these tests: {reason}", pytrace=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the session, on a Unix socket in a temporary directory."""
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError as err:
        _unavailable(f"{err} (pip install -e '.[postgres]')")
    try:
        server = PostgresServer.launch()
    except Unavailable as err:
        _unavailable(str(err))
    yield server
    server.stop()


@pytest.fixture
def pg_dsn(pg_server: PostgresServer) -> Iterator[str]:
    """A fresh database on the session's server, dropped after the test."""
    name = f"t{os.getpid()}_{next(_names)}"
    dsn = pg_server.create_database(name)
    yield dsn
    pg_server.drop_database(name)
