"""`frontline mail parse --json`: one line per file, in order, exactly the contract keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontline.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "mail" / "corpus"
KEYS = ["message_id", "in_reply_to", "references", "date", "from", "to", "cc", "reply_to",
        "subject", "text", "reply", "html", "attachments", "auto", "bounce"]


def test_each_file_gets_its_line_in_order_even_when_unreadable(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    files = [str(CORPUS / "gmail_reply_en.eml"), str(tmp_path / "missing.eml"),
             str(CORPUS / "bounce_postfix_dsn.eml")]
    status = main(["mail", "parse", "--json", *files])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 1
    assert len(lines) == 3
    assert list(lines[0]) == KEYS
    assert lines[0]["from"]["email"] and lines[0]["reply"]
    assert "error" in lines[1] and list(lines[1])[:len(KEYS)] == KEYS
    assert lines[2]["auto"]["kind"] == "bounce"
    assert lines[2]["bounce"]["permanent"] is True


def test_readable_summary_without_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mail", "parse", str(CORPUS / "ooo_exchange.eml")]) == 0
    out = capsys.readouterr().out
    assert "Subject:" in out
