"""The mail corpus: hand-written .eml files from real clients, servers and robots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from frontline.mail.parse import ParsedMail, parse_message

CORPUS = Path(__file__).parent / "corpus"


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.eml"))


@pytest.fixture
def mail() -> Callable[..., ParsedMail]:
    """Parse a corpus file by name; our own Message-ID domain is frontline.example."""

    def read(name: str, **options: object) -> ParsedMail:
        options.setdefault("own_domains", ("frontline.example",))
        return parse_message((CORPUS / name).read_bytes(), **options)  # type: ignore[arg-type]

    return read


# `smtp_sink` (a real aiosmtpd server collecting outbound mail, FRONTLINE_SMTP_URL
# pointed at it) lives in tests/smtp_sink.py and is registered by tests/conftest.py,
# so tests/mail and tests/portal share it.
