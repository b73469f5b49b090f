"""For tests that start real processes and servers: free ports, a clean environment."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def frontline_env(data_dir: Path) -> dict[str, str]:
    """This environment without any FRONTLINE_* setting, with its own data dir:
    a child `frontline` process gets the embedded default (SQLite in `data_dir`)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("FRONTLINE_") and key != "DJANGO_SETTINGS_MODULE"}
    env["FRONTLINE_DATA_DIR"] = str(data_dir)
    return env


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGTERM a child and collect its output; SIGKILL it if it does not go."""
    try:
        process.send_signal(signal.SIGTERM)
        return process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def create_postgres(name: str) -> str | None:
    """A fresh PostgreSQL database `name` on the local server, for child processes to
    share: its URL, or None when no server answers."""
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True,
                             connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    except Exception:
        return None
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                         autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
