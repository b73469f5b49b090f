"""`frontline mail parse --json FILE...`: one line per file, in order, broken ones included."""

from __future__ import annotations

import io
import json

from frontline.mail.cli import parse_command
from frontline.mail.parse import CONTRACT_KEYS, parse_files
from tests.mail.conftest import CORPUS


def run(paths: list[str], *, as_json: bool = True) -> tuple[int, list[str]]:
    out = io.StringIO()
    status = parse_command(paths, as_json=as_json, out=out)
    return status, out.getvalue().splitlines()


def test_one_json_line_per_file_in_order_with_exactly_the_contract_keys():
    paths = [str(CORPUS / "gmail_reply_en.eml"), str(CORPUS / "reply_zh.eml")]
    status, lines = run(paths)
    assert status == 0
    first, second = (json.loads(line) for line in lines)
    assert list(first) == list(CONTRACT_KEYS)
    assert first["message_id"] == "CAF=k3v+Q8x2_ZpLm4vN7wq@mail.gmail.com"
    assert second["subject"] == "回复: 登录问题"


def test_unreadable_files_still_get_their_line_with_an_error(tmp_path):
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    paths = [str(tmp_path), str(tmp_path / "missing.eml"), str(empty),
             str(CORPUS / "garbage.eml")]
    status, lines = run(paths)
    assert status == 1
    directory, missing, blank, garbage = (json.loads(line) for line in lines)
    assert "is a directory" in directory["error"]
    assert "No such file" in missing["error"]
    assert "empty" in blank["error"]
    assert "error" not in garbage  # garbage is read as well as it can be
    for line in (directory, missing, blank):
        assert set(line) == {*CONTRACT_KEYS, "error"}


def test_parse_files_yields_dicts_in_order():
    names = ["list_mail.eml", "bulk_newsletter.eml"]
    kinds = [d["auto"]["kind"] for d in parse_files(CORPUS / n for n in names)]
    assert kinds == ["list", "bulk"]


def test_without_json_a_readable_summary_is_printed():
    status, lines = run([str(CORPUS / "bounce_qmail.eml")], as_json=False)
    assert status == 0
    assert "Automatic:  bounce (bounce from a mail server)" in lines
    assert "Bounce:     gone@oldhost.example status 5.1.1 (permanent)" in lines
