"""A real, throw-away PostgreSQL server for the tests and the benchmark.

``PostgresServer.launch()`` runs ``initdb`` into a fresh temporary directory and
``pg_ctl start``, as an unprivileged system user when we are root (PostgreSQL refuses to run
as root: the user ``rfc6238pg`` is created with ``useradd --system`` if missing). It listens
on a Unix socket inside that 0700 directory only, or also on 127.0.0.1 at a free port with a
password (``tcp=True``, for the benchmark). ``stop()`` shuts it down and removes the
directory; ``stop_server()``/``start()`` keep the data for a restart.

The binaries are found on ``PATH`` or in ``/usr/lib/postgresql/<version>/bin``;
``scripts/install_postgres.sh`` installs Debian's ``postgresql`` where neither has them.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["PostgresServer", "Unavailable", "find_bindir"]

SYSTEM_USER = "rfc6238pg"
SUPERUSER = "postgres"


class Unavailable(RuntimeError):
    """No PostgreSQL server can be started here (binaries or the driver are missing)."""


def find_bindir() -> Path:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``."""
    found = shutil.which("initdb")
    if found:
        bindir = Path(found).resolve().parent  # Debian links /usr/local/bin into its tree
        if (bindir / "pg_ctl").exists() and (bindir / "postgres").exists():
            return bindir
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.parent.name
        return tuple(int(p) for p in name.split(".") if p.isascii() and p.isdecimal())

    for path in sorted(candidates, key=version, reverse=True):
        return Path(path).parent
    raise Unavailable(
        "initdb was not found on PATH or in /usr/lib/postgresql/*/bin "
        "(run scripts/install_postgres.sh)"
    )


def _system_user() -> pwd.struct_passwd | None:
    """The unprivileged account the server runs as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        pass
    done = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
         "--shell", "/usr/sbin/nologin", SYSTEM_USER],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode not in (0, 9):  # 9: created meanwhile by another test run
        raise Unavailable(f"useradd {SYSTEM_USER} failed: {done.stderr.strip()}")
    return pwd.getpwnam(SYSTEM_USER)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One running PostgreSQL cluster in a temporary directory (see the module docstring)."""

    def __init__(
        self, *, tcp: bool = False, durable: bool = False, settings: tuple[str, ...] = ()
    ) -> None:
        self.bindir = find_bindir()
        self.account = _system_user()
        self.base = Path(tempfile.mkdtemp(prefix="rfc6238-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.tcp = tcp
        self.port = _free_port() if tcp else 5432  # the socket lives in our own directory
        self.password = secrets.token_urlsafe(18)
        # Tests trade durability for speed (a crashed *client* loses nothing either way);
        # the benchmark keeps the server defaults (fsync on).
        self._settings = [*([] if durable else ["fsync=off", "full_page_writes=off"]), *settings]
        self.running = False
        if self.account is not None:
            os.chown(self.base, self.account.pw_uid, self.account.pw_gid)
        os.chmod(self.base, 0o700)

    @classmethod
    def launch(cls, **kw: Any) -> PostgresServer:
        server = cls(**kw)
        try:
            server.init()
            server.start()
        except BaseException:
            server.stop()
            raise
        atexit.register(server.stop)
        return server

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        user: dict[str, Any] = {}
        if self.account is not None:
            user = {"user": self.account.pw_uid, "group": self.account.pw_gid,
                    "extra_groups": []}  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        done = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]], cwd=self.base, env=env,
            capture_output=True, text=True, check=False, timeout=120, **user,
        )  # fmt: skip
        if done.returncode:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise Unavailable(f"{args[0]} failed ({done.returncode}): {done.stderr}\n{tail}")
        return done

    def init(self) -> None:
        pwfile = self.base / "pw"
        pwfile.write_text(self.password + "\n")
        if self.account is not None:
            os.chown(pwfile, self.account.pw_uid, self.account.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "--username", SUPERUSER, "--pwfile", str(pwfile),
            "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8",
            "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        pwfile.unlink()

    def start(self) -> None:
        listen = "127.0.0.1" if self.tcp else ""
        settings = [
            f"listen_addresses='{listen}'", f"port={self.port}",
            f"unix_socket_directories='{self.base}'", "unix_socket_permissions=0700",
            "max_connections=300", "shared_buffers=32MB", *self._settings,
        ]  # fmt: skip
        options = " ".join(f"-c {s}" for s in settings)
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", options, "start")  # fmt: skip
        self.running = True

    def stop_server(self, mode: str = "fast") -> None:
        """Shut the server down (``fast``: roll back sessions; ``immediate``: crash-like)."""
        if self.running:
            self.running = False
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def stop(self) -> None:
        """Stop the server if it runs and remove its directory."""
        try:
            self.stop_server()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    # --- connecting -----------------------------------------------------------------------

    def dsn(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        """A libpq connection string for ``dbname`` over the Unix socket."""
        return f"host={self.base} port={self.port} user={user} dbname={dbname}"

    def url(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        """A ``postgresql://`` URL over the socket (host given as a query parameter)."""
        return f"postgresql://{user}@/{dbname}?host={self.base}&port={self.port}"

    def tcp_dsn(self, dbname: str = "postgres") -> str:
        """Over 127.0.0.1 with the superuser's password (``tcp=True`` only)."""
        if not self.tcp:
            raise ValueError("this server listens on its Unix socket only")
        return (f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={dbname} "
                f"password={self.password}")  # fmt: skip

    def admin(self, sql: Any, params: tuple[Any, ...] = (), dbname: str = "postgres") -> Any:
        """Run one statement as the superuser (autocommit); its rows, if it returns any."""
        import psycopg

        with psycopg.connect(self.dsn(dbname), autocommit=True) as conn:
            cur = conn.execute(sql, params or None)
            return cur.fetchall() if cur.description else None

    def create_database(self, name: str) -> str:
        """A new, empty database; its connection string."""
        from psycopg import sql

        self.admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        stmt = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        self.admin(stmt)
