"""An SMTP server that takes every mail and writes one JSON line per mail: the
outbound SMTP server of `bench.load`.

    python -m bench.mail_sink --port 2612 --log /tmp/fl-load/sink.jsonl

A separate process, so that its work does not share the load client's
interpreter (and its GIL) and so that the log on disk is the truth after the
run: `bench.load` counts each Message-ID in it to check that every mail
Frontline sent arrived exactly once. Each line holds the headers the checks
and the simulated customers need (Message-ID, From, To, Subject, In-Reply-To,
Auto-Submitted) and the time it arrived; the body is not kept.
(tests/smtp_sink.py is the pytest fixture with the same role, in memory.)
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from email import message_from_bytes, policy
from typing import IO, Any

from aiosmtpd.controller import Controller

KEPT_HEADERS = ("Message-ID", "From", "To", "Subject", "In-Reply-To", "Auto-Submitted")


class JsonLineSink:
    """aiosmtpd handler: accept, write a line, flush (a line on disk is a delivery)."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content or b"")
        headers = message_from_bytes(raw, policy=policy.default)
        line: dict[str, Any] = {name.lower(): str(headers.get(name, "") or "")
                                for name in KEPT_HEADERS}
        line.update({"at": time.time(), "rcpt": list(envelope.rcpt_tos), "size": len(raw)})
        self.out.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.out.flush()
        self.count += 1
        return "250 2.0.0 Ok: kept by the bench sink"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mail_sink",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True, help="JSON lines file (appended to)")
    args = parser.parse_args(argv)
    with open(args.log, "a", encoding="utf-8") as out:
        controller = Controller(JsonLineSink(out), hostname=args.host, port=args.port,
                                enable_SMTPUTF8=True)
        controller.start()
        print(f"sink listening on {args.host}:{args.port}", flush=True)
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
        signal.signal(signal.SIGINT, lambda signum, frame: stopped.set())
        stopped.wait()
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
