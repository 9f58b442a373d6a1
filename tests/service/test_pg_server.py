"""The test PostgreSQL server itself: unprivileged, reachable only through its socket."""

from __future__ import annotations

import os

from pg_server import PostgresServer


def test_server_runs_unprivileged_on_its_socket_only(pg_server: PostgresServer) -> None:
    rows = pg_server.admin("SELECT current_setting('listen_addresses'), "
                           "current_setting('unix_socket_directories')")  # fmt: skip
    assert rows == [("", str(pg_server.base))]
    pid = int((pg_server.data / "postmaster.pid").read_text().split()[0])
    assert os.stat(f"/proc/{pid}").st_uid != 0
    assert oct(os.stat(pg_server.base).st_mode & 0o777) == "0o700"


def test_databases_are_separate(pg_server: PostgresServer, pg_dsn: str) -> None:
    name = pg_dsn.rsplit("dbname=", 1)[1]
    pg_server.admin("CREATE TABLE only_here (x int)", dbname=name)
    assert pg_server.admin("SELECT to_regclass('only_here')") == [(None,)]
