"""`frontline mail listen` as a mail server meets it, and `frontline mail reprocess`."""

from __future__ import annotations

import smtplib
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from frontline.cli import main
from frontline.mail.models import InboundMail
from frontline.mail.store import accept_raw
from frontline.tickets.models import Ticket
from tests.processes import free_port, frontline_env, stop

MAIL = (b"From: Bob Standard <bob@standard.example>\r\n"
        b"To: support@frontline.localhost\r\n"
        b"Subject: Printer on fire\r\n"
        b"Message-ID: <cli-fire@standard.example>\r\n"
        b"\r\n"
        b"The printer is on fire again.\r\n")



def test_listen_stores_what_it_accepts_and_stops_on_sigterm(tmp_path: Path):
    port = free_port()
    env = frontline_env(tmp_path / "var")
    subprocess.run([sys.executable, "-m", "frontline.cli", "migrate"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    process = subprocess.Popen(
        [sys.executable, "-m", "frontline.cli", "mail", "listen", "--lmtp", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            try:
                client = smtplib.LMTP("127.0.0.1", port, timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        with client:
            assert client.sendmail("bob@standard.example", ["support@frontline.localhost"],
                                   MAIL) == {}
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail("bob@standard.example", ["nobody@elsewhere.example"], MAIL)
        out, err = stop(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert f"Receiving mail over LMTP on 127.0.0.1:{port}." in out
    with sqlite3.connect(tmp_path / "var" / "frontline.sqlite3") as db:
        rows = db.execute("SELECT source, header_message_id FROM mail_inboundmail").fetchall()
    assert rows == [("lmtp", "cli-fire@standard.example")]


def test_listen_on_a_busy_port_is_one_line(db, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["mail", "listen", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in err


def test_reprocess_finishes_what_a_crash_left_stored(db, capsys):
    accept_raw(MAIL, source="lmtp", process=False)  # stored, then the worker died
    assert InboundMail.objects.get().state == "stored"
    code = main(["mail", "reprocess"])
    out = capsys.readouterr().out
    assert code == 0 and "Reprocessed 1 stored mails." in out
    assert InboundMail.objects.get().state == "processed"
    assert Ticket.objects.get().subject == "Printer on fire"
    assert main(["mail", "reprocess"]) == 0
    assert "Nothing to reprocess." in capsys.readouterr().out
