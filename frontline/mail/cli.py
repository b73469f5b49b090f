"""`frontline mail parse`: how Frontline reads each mail, for admins debugging a delivery.

Wire it into frontline/cli.py with:

    mail_parse = mail_commands.add_parser("parse", help="show how Frontline reads mail files")
    add_parse_arguments(mail_parse)
    ...
    return parse_command(args.files, as_json=args.json, out=sys.stdout)

It needs no database and no Django set-up.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any, TextIO

from frontline.mail.parse import parse_files


def add_parse_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help=".eml files to read")
    parser.add_argument("--json", action="store_true",
                        help="one JSON object per file, one per line, in order")


def parse_command(paths: Sequence[str], *, as_json: bool, out: TextIO) -> int:
    """Print how each file reads; every file gets its line, readable or not.

    Exit status 1 when some file could not be read (its line carries `error`), else 0.
    """
    failed = False
    for path, parsed in zip(paths, parse_files(paths), strict=True):
        failed = failed or "error" in parsed
        if as_json:
            out.write(json.dumps(parsed, ensure_ascii=False) + "\n")
        else:
            out.write(_summary(path, parsed) + "\n")
        out.flush()
    return 1 if failed else 0


def _address(entry: dict[str, str] | None) -> str:
    if not entry:
        return "-"
    return f"{entry['name']} <{entry['email']}>" if entry["name"] else entry["email"]


def _summary(path: str, parsed: dict[str, Any]) -> str:
    if "error" in parsed and not parsed["text"]:
        return f"{path}: cannot be read: {parsed['error']}"
    lines = [
        f"== {path}",
        f"Message-ID: {parsed['message_id'] or '-'}",
        f"From:       {_address(parsed['from'])}",
        f"To:         {', '.join(_address(a) for a in parsed['to']) or '-'}",
        f"Date:       {parsed['date'] or '-'}",
        f"Subject:    {parsed['subject']}",
        f"Automatic:  {parsed['auto']['kind']}"
        + (f" ({parsed['auto']['reason']})" if parsed["auto"]["reason"] else ""),
    ]
    if parsed["bounce"]:
        bounce = parsed["bounce"]
        lines.append(f"Bounce:     {', '.join(bounce['recipients']) or '-'} status "
                     f"{bounce['status'] or '-'}"
                     f" ({'permanent' if bounce['permanent'] else 'temporary'})")
    for attachment in parsed["attachments"]:
        lines.append(f"Attachment: {attachment['filename']} ({attachment['content_type']}, "
                     f"{attachment['size']} bytes{', inline' if attachment['inline'] else ''})")
    if "error" in parsed:
        lines.append(f"Error:      {parsed['error']}")
    lines.append("-- reply --")
    lines.append(parsed["reply"])
    return "\n".join(lines)
