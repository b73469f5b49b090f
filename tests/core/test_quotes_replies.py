"""Reply trimming measured on our labelled set of replies (`tests/core/replies/`).

Each case is a reply as a client sends it, in many languages and clients, with the
text a person reading the desk should see unfolded. Exact trimming is measured as a
share (it is a heuristic, and the history a client writes varies), but losing what
the customer wrote is not allowed for a single case.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.core.quote_markers import ATTRIBUTION_WORDS, ATTRIBUTIONS
from frontline.core.quotes import extract_reply

REPLIES = Path(__file__).parent / "replies"
MARK = "%%% "


@dataclass(frozen=True)
class Case:
    name: str
    mail: str
    keep: str


def _read_cases(path: Path) -> list[Case]:
    """Cases in `path`: a `%%% mail <name> [crlf]` line, the mail, a `%%% keep` line and
    the expected text, or `%%% keep same` when nothing may be cut."""
    cases: list[Case] = []
    name, crlf, section = "", False, ""
    parts: dict[str, list[str]] = {}

    def finish() -> None:
        if not name:
            return
        mail = "\n".join(parts["mail"]).strip("\n")
        same = parts.get("same") is not None
        keep = mail.strip() if same else "\n".join(parts["keep"]).strip("\n")
        assert keep, f"{path.name}: {name} has no expected text"
        sent = mail.replace("\n", "\r\n") if crlf else mail
        cases.append(Case(f"{path.stem}/{name}", sent, keep))

    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith(f"{MARK}mail "):
            finish()
            words = line[len(MARK) + 5 :].split()
            name, crlf, section, parts = words[0], "crlf" in words[1:], "mail", {"mail": []}
        elif line.startswith(f"{MARK}keep"):
            section = "same" if line.strip().endswith("same") else "keep"
            parts[section] = []
        elif section:
            parts[section].append(line)
    finish()
    return cases


CASES = [case for path in sorted(REPLIES.glob("*.txt")) for case in _read_cases(path)]


def _normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


def _split(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def test_the_set_is_large_and_varied():
    assert len(CASES) >= 150
    assert len({case.name for case in CASES}) == len(CASES), "case names repeat"
    groups = {case.name.split("/")[0] for case in CASES}
    assert len(groups) >= 15
    unchanged = [case for case in CASES if _normalised(case.keep) == _normalised(case.mail)]
    assert len(unchanged) >= 15, "too few replies where nothing may be cut"


def test_most_replies_are_trimmed_exactly_right():
    failures = []
    for case in CASES:
        got = _normalised(extract_reply(case.mail))
        if got != _normalised(case.keep):
            failures.append(f"--- {case.name}\nexpected:\n{case.keep}\ngot:\n{got}\n")
    share = 1 - len(failures) / len(CASES)
    print(f"\nreply trimming: {len(CASES) - len(failures)}/{len(CASES)} exact ({share:.1%})")
    print("\n".join(failures))
    assert share >= 0.85


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_customers_own_text_is_never_lost(case):
    """Every line the customer wrote is in the trimmed reply, in order."""
    kept = iter(_lines(extract_reply(case.mail)))
    missing = [line for line in _lines(case.keep) if not any(line == got for got in kept)]
    assert not missing, f"lost: {missing}"


def test_trimming_stays_fast_on_long_and_hostile_text():
    """Bounded work: long mails, endless attribution look-alikes and very long lines."""
    hostile = [
        "On " + "1, " * 20_000 + "wrote:",
        "\n".join(["From: a", "Sent: b"] * 20_000),
        "\n".join(f"Am {n}. schrieb x schrieb y schrieb" for n in range(30_000)),
        "-" * 200_000,
        "\n".join("> " * 50 + "quoted" for _ in range(20_000)) + "\nmine",
        "x" * 500_000 + " wrote:",
    ]
    started = time.perf_counter()
    for text in hostile:
        assert extract_reply(text)
    assert time.perf_counter() - started < 5


def test_every_attribution_verb_has_a_word_to_find_it_by():
    """The quick substring test must not hide a language's attribution."""
    for _, verb in ATTRIBUTIONS:
        assert any(word in verb.lower() for word in ATTRIBUTION_WORDS), verb


# Lines that look like history, mixed with any text, for the property below.
_PIECES = [
    "On Tue, Mar 3, 2026 at 10:12 AM Lena <", "support@frontline.example> wrote:", "> quoted",
    "From: Lena <l@x.example>", "Sent: Tuesday, March 3, 2026 10:12", "To: Jo", "Subject: Re: x",
    "-----Original Message-----", "-- ", "Sent from my iPhone", "________________________________",
    "Am 3. März 2026 um 10:12 schrieb Lena <l@x.example>:", "", "Thanks", "Von:", "Gesendet:",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=30)), max_size=25))
def test_the_reply_is_made_of_the_senders_lines_and_never_empty(pieces: list[str]) -> None:
    """Whatever arrives: no error, nothing invented, nothing empty when there was text."""
    text = "\n".join(pieces)
    reply = extract_reply(text)
    source = iter(_split(text))
    assert all(any(line == got for got in source) for line in _split(reply) if line)
    assert bool(reply.strip()) == bool(text.strip())
    assert extract_reply(text) == reply
