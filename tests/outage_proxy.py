"""A database outage for one test, without touching the shared server: a TCP proxy.

The code under test connects to the proxy's port instead of the database's
(`route_database_through`). `cut()` is the outage: every open connection is reset
and the port refuses new ones, as while PostgreSQL restarts. `restore()` listens
again on the same port, so clients reconnect as they would to the restarted server.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

_CHUNK = 65536


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self.connections_made = 0

    # -- up and down ---------------------------------------------------------------

    def start(self) -> TcpProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True,
                         name="outage-proxy-accept").start()
        return self

    def cut(self) -> None:
        """The database goes away: open connections are reset, new ones refused."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for side in pair:
                _reset(side)

    def restore(self) -> None:
        """The database is back, on the same port."""
        if self._listener is None:
            self.start()

    def stop(self) -> None:
        self.cut()

    # -- forwarding ----------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    _reset(client)
                    _reset(upstream)
                    return
                self._pairs.append((client, upstream))
                self.connections_made += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True,
                                 name="outage-proxy-pump").start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while True:
            data = source.recv(_CHUNK)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def _reset(side: socket.socket) -> None:
    """Drop one side at once. shutdown() first: a bare close() from this thread would
    leave the socket open until the pump thread's recv() on it returned."""
    with contextlib.suppress(OSError):
        side.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        side.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        side.close()


@contextlib.contextmanager
def route_database_through(proxy_for: Any) -> Iterator[TcpProxy]:
    """Point every thread's connections of the default database at a fresh proxy
    for the duration. `proxy_for` is django.db.connection; its settings dict is the
    one all threads' connections are made from."""
    from django.db import connections

    settings_dict = proxy_for.settings_dict
    host, port = settings_dict.get("HOST") or "127.0.0.1", int(settings_dict.get("PORT") or 5432)
    proxy = TcpProxy(host, port).start()
    connections.close_all()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(proxy.port)
    try:
        yield proxy
    finally:
        proxy.restore()
        connections.close_all()
        settings_dict["HOST"], settings_dict["PORT"] = host, str(port)
        proxy.stop()
        connections.close_all()
