"""How nested_forwards_500.eml and nested_multipart_1200.eml were made (run by hand,
not by the tests).

Both are the shape a forwarding loop or a hostile sender produces: a mail whose
content sits hundreds of levels down. The first forwards a forward of a forward
500 times (message/rfc822 in message/rfc822, where the stdlib's generator gave up
and the forwarded mail came out as 0 bytes); the second wraps a report in 1200
multipart/mixed levels, beyond the depth at which the stdlib's parser itself
raises RecursionError. The tests check that the innermost words and file are kept.

    python tests/mail/corpus/make_nested.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

INNERMOST_CSV = b"order;status\n88121;stuck in picking\n88122;stuck in picking\n"


def innermost(words: str, boundary: str) -> str:
    return (
        f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\n\n"
        f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{words}\n"
        f"--{boundary}\nContent-Type: text/csv; name=\"stuck-orders.csv\"\n"
        "Content-Disposition: attachment; filename=\"stuck-orders.csv\"\n\n"
        f"{INNERMOST_CSV.decode()}\n--{boundary}--\n"
    )


def forwards(levels: int) -> str:
    mail = ("From: Warehouse Bot <bot@pakhuis.example>\nSubject: Orders stuck in picking\n"
            + innermost("Twee orders staan sinds vannacht vast in de pickfase.", "inner"))
    for level in range(levels):
        mail = (f"From: relay{level % 7}@pakhuis.example\nSubject: Fwd: level {level}\n"
                f"Content-Type: message/rfc822\n\n{mail}")
    return (
        "From: Sanne de Vries <sanne@pakhuis.example>\nTo: support@frontline.example\n"
        "Subject: Fwd: the orders mail our relay kept forwarding\n"
        "Date: Mon, 23 Mar 2026 07:55:00 +0100\nMessage-ID: <loop-500@pakhuis.example>\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"top\"\n\n"
        "--top\nContent-Type: text/plain; charset=utf-8\n\n"
        "Our relay forwarded this mail to itself all night; the original is inside.\n"
        f"--top\nContent-Type: message/rfc822\n\n{mail}\n--top--\n"
    )


def multiparts(levels: int) -> str:
    body = innermost("Rapport: de koelcel meldt 9 graden sinds 03:10.", "core")
    for level in range(levels):
        body = (f"Content-Type: multipart/mixed; boundary=\"b{level}\"\n\n--b{level}\n"
                f"{body}\n--b{level}--\n")
    return (
        "From: Koelcel Monitor <monitor@koelhuis.example>\nTo: support@frontline.example\n"
        "Subject: Temperatuurrapport\nDate: Mon, 23 Mar 2026 08:02:00 +0100\n"
        "Message-ID: <deep-1200@koelhuis.example>\nMIME-Version: 1.0\n" + body
    )


if __name__ == "__main__":
    (HERE / "nested_forwards_500.eml").write_text(forwards(500))
    (HERE / "nested_multipart_1200.eml").write_text(multiparts(1200))
