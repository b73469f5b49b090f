"""File names cannot lie about what a file is: bidi controls and other invisible
characters are taken out, the real extension stays last (core.filenames)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.core.filenames import clean_filename

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize(("written", "shown"), [
    ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ("Rechnung\u2067fdp.scr\u2069", "Rechnungfdp.scr"),
    ("\u200fتقرير\u200f.pdf", "تقرير.pdf"),
    ("C:\\Users\\bob\\Desktop\\log.txt", "log.txt"),
    ("../../etc/passwd", "passwd"),
    ("notes\tfor\nMonday.txt", "notes for Monday.txt"),
    ("bell\x07\x1b[0m.log", "bell[0m.log"),
    ("\ufeffbom.csv", "bom.csv"),
    ("what?.txt", "what_.txt"),
    ("नमस्ते\u200dदुनिया.docx", "नमस्ते\u200dदुनिया.docx"),  # the joiner stays
    ("  ..  ", "attachment"),
    ("\u202e", "attachment"),
])
def test_names_are_cleaned_as_shown(written, shown):
    assert clean_filename(written) == shown


def test_a_long_name_keeps_its_extension():
    cleaned = clean_filename("a" * 400 + ".pdf")
    assert len(cleaned) <= 200 and cleaned.endswith(".pdf")


@given(st.text(max_size=300), st.sampled_from(["pdf", "exe", "txt", "tar.gz", "docx"]))
def test_no_name_can_reorder_or_hide_its_extension(stem, extension):
    cleaned = clean_filename(f"{stem}.{extension}")
    assert cleaned
    assert not any(mark in cleaned for mark in BIDI)
    assert not any(unicodedata.category(char) in ("Cc", "Cs") for char in cleaned)
    assert "/" not in cleaned and "\\" not in cleaned
    assert cleaned == clean_filename(cleaned)  # cleaning twice changes nothing
