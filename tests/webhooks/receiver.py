"""A real HTTP receiver for webhook tests, run in a thread: it records every request,
checks its signature with the secret it is given, and answers from a script (500,
500, then 200, or a pause longer than the sender waits)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from frontline.webhooks.signing import verify


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signed: bool  # the signature matched the secret the receiver was given


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Received] = []
        self.answers: list[int] = []  # popped per request; 200 once empty
        self.secrets: list[str] = []
        self.pause_seconds = 0.0

    def url(self, path: str = "/hooks/frontline") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def signed_by(self, secret: str) -> None:
        self.secrets.append(secret)


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        header = self.headers.get("X-Frontline-Signature")
        # The sender signs with the time it was told (a fake clock in the tests), so
        # only the digest is checked here; the tests check the time themselves.
        signed = any(verify(secret, header, body, tolerance=10**10)
                     for secret in self.server.secrets)
        self.server.received.append(Received(self.path, dict(self.headers), body, signed))
        if self.server.pause_seconds:
            time.sleep(self.server.pause_seconds)
        status = self.server.answers.pop(0) if self.server.answers else 200
        answer = f"answer {status} to {len(self.server.received)}".encode()
        try:
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", self.server.url("/elsewhere"))
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except OSError:
            pass  # the sender gave up waiting

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.FRONTLINE_WEBHOOK_ALLOW_LOCAL_HTTP = True
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
