"""`frontline serve` on the embedded default: one command is the whole system."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.processes import free_port, frontline_env, stop


def test_serve_migrates_answers_healthz_and_stops_on_sigterm(tmp_path: Path):
    port = free_port()
    env = frontline_env(tmp_path / "var")
    process = subprocess.Popen(
        [sys.executable, "-m", "frontline.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # A fresh database migrates first: seconds alone, half a minute on a busy CI box.
        deadline = time.monotonic() + 90
        body = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                break
            except OSError:
                time.sleep(0.2)
        assert body == {"status": "ok"}
        out, err = stop(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert f"Frontline is running at http://127.0.0.1:{port}/" in out
    # No FRONTLINE_SITE_URL: the links in mails follow the port served (issue 12).
    assert f"Links in mails point at http://127.0.0.1:{port}/." in out
    assert "Frontline stopped." in out
    # The embedded default: SQLite and a generated secret key in the data dir.
    assert (tmp_path / "var" / "frontline.sqlite3").exists()
    assert len((tmp_path / "var" / "secret_key").read_text().strip()) >= 50


def test_a_configured_site_url_wins_over_the_served_address(monkeypatch, settings):
    from frontline.cli import follow_served_address

    monkeypatch.delenv("FRONTLINE_SITE_URL", raising=False)
    assert follow_served_address("http://127.0.0.1:8711") == "http://127.0.0.1:8711"
    assert settings.FRONTLINE_SITE_URL == "http://127.0.0.1:8711"

    monkeypatch.setenv("FRONTLINE_SITE_URL", "https://support.example.org/")
    settings.FRONTLINE_SITE_URL = "https://support.example.org/"
    assert follow_served_address("http://[::1]:9000") == "https://support.example.org"
    assert settings.FRONTLINE_SITE_URL == "https://support.example.org/"
