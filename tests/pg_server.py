"""A throwaway PostgreSQL server for the backend tests and benchmarks: Debian's binaries, a temp folder, a free port.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (or `nobody`) in a folder
that user owns. Trust authentication on the loopback only; nothing outlives `stop()`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def pg_bin(name: str) -> str | None:
    """A PostgreSQL program: on PATH, else in Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_user() -> str | None:
    """Who runs the server: ourselves unless root; then `postgres` (Debian's package creates it) or `nobody`."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL")


@dataclass
class PostgresServer:
    folder: Path
    port: int
    user: str | None

    @property
    def url(self) -> str:
        return f"postgresql://weaklink@127.0.0.1:{self.port}/weaklink"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = list(args) if self.user is None else ["runuser", "-u", self.user, "--", *args]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def stop(self) -> None:
        try:
            self._run(pg_bin("pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """initdb + pg_ctl start in a new temp folder; a `weaklink` superuser and database on a free port."""
    if pg_bin("initdb") is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    user = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="weaklink-pg-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    folder.chmod(0o700)
    server = PostgresServer(folder, _free_port(), user)
    data = str(folder / "data")
    server._run(pg_bin("initdb"), "-D", data, "-U", "weaklink", "-A", "trust", "-E", "UTF8", "--no-sync")
    options = (f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_wal_size=2GB")
    server._run(pg_bin("pg_ctl"), "-D", data, "-o", options, "-l", str(folder / "log"), "-w", "start")
    server._run(pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(server.port), "-U", "weaklink", "weaklink")
    return server
