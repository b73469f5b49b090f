"""The composer's Markdown subset and clickable links (frontline.mail.formatting)."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.mail.formatting import (
    MAX_MARKDOWN_CHARS,
    link_html,
    linked_text,
    markdown_html,
)


def test_bold_italic_lists_links_and_code_become_html():
    rendered = markdown_html(
        "Hallo Frau Weber,\n\n**bitte** prüfen Sie *zuerst* die Version:\n\n"
        "1. Menü öffnen\n2. `Hilfe > Info`\n\n- [Anleitung](https://docs.example.com/de/update)"
        "\n- noch ein Punkt\n\n```\nSELECT count(*) FROM jobs WHERE state < 3;\n```")
    assert rendered is not None
    assert "<strong>bitte</strong>" in rendered and "<em>zuerst</em>" in rendered
    assert "<ol>" in rendered and rendered.count("<li>") == 4 and "<ul>" in rendered
    assert "<code>Hilfe &gt; Info</code>" in rendered
    assert '<a href="https://docs.example.com/de/update" rel="noopener noreferrer">' \
           "Anleitung</a>" in rendered
    assert "<pre><code>SELECT count(*) FROM jobs WHERE state &lt; 3;\n</code></pre>" in rendered


def test_a_single_line_break_stays_a_line_break():
    assert markdown_html("Thanks,\nLena") == "<p>Thanks,<br>\nLena</p>"


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script> hi",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="https://evil.example" onclick="x()">a</a>',
    "<iframe src=https://evil.example></iframe>",
])
def test_raw_html_and_script_links_never_become_markup(hostile):
    rendered = markdown_html(hostile) or ""
    assert set(re.findall(r"<(\w+)", rendered)) <= {"p", "a", "br"}
    assert re.findall(r"<a (\w+)=", rendered) in ([], ["href"])
    assert not re.search(r"href=\"(javascript|data):", rendered)


def test_headings_tables_and_images_are_not_in_the_subset():
    rendered = markdown_html("# Not a heading\n\n![pixel](https://track.example/p.gif)") or ""
    assert "<h1>" not in rendered and "<img" not in rendered
    assert "# Not a heading" in rendered


def test_a_bare_url_in_a_reply_is_a_link_but_not_inside_another_link():
    rendered = markdown_html("Siehe https://status.example.org/incidents/42. "
                             "Oder [die Seite https://a.example](https://b.example).") or ""
    assert '<a href="https://status.example.org/incidents/42" ' in rendered
    assert rendered.count("<a ") == 2 and 'href="https://a.example"' not in rendered


def test_empty_and_overlong_text_get_no_html():
    assert markdown_html("  \n ") is None
    assert markdown_html("**x** " * (MAX_MARKDOWN_CHARS // 6 + 1)) is None


def test_plain_text_links_open_in_a_new_tab_and_tell_nothing():
    shown = link_html("Log: https://logs.example.net/run?id=7&full=1, mail ops@example.org.")
    assert ('<a href="https://logs.example.net/run?id=7&amp;full=1" target="_blank" '
            'rel="noopener noreferrer nofollow">https://logs.example.net/run?id=7&amp;full=1</a>'
            ", mail ") in shown
    assert ('<a href="mailto:ops@example.org" target="_blank" rel="noopener noreferrer '
            'nofollow">ops@example.org</a>.') in shown


@pytest.mark.parametrize(("text", "href"), [
    ("(see https://en.wikipedia.org/wiki/Set_(maths))", "https://en.wikipedia.org/wiki/Set_(maths)"),
    ("(see https://example.com/a)", "https://example.com/a"),
    ("Fertig: http://intranet.example/x?y=1!", "http://intranet.example/x?y=1"),
    ("写信给 李@例子.中国 吧", "mailto:李@例子.中国"),
    ("«https://exemple.fr/é»", "https://exemple.fr/é»"),
])
def test_sentence_punctuation_ends_the_link(text, href):
    assert f'href="{html.escape(href, quote=True)}"' in link_html(text)


def test_only_http_and_mail_become_links():
    shown = link_html("javascript:alert(1) ftp://files.example/x file:///etc/passwd http://")
    assert "<a " not in shown


def test_markup_in_customer_text_is_shown_not_run():
    shown = str(linked_text('<b onmouseover="x">hi</b> "https://x.example/"<script>'))
    assert "<b" not in shown and "<script" not in shown
    assert '&lt;b onmouseover=&quot;x&quot;&gt;hi&lt;/b&gt;' in shown
    assert '<a href="https://x.example/"' in shown


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"ab.@:/<>&\"' \n()hpst", "https://", "é", "x@y.de"]),
                max_size=60).map("".join))
def test_linking_keeps_every_character_and_adds_only_anchors(text):
    shown = link_html(text)
    without_anchors = re.sub(r"<a href=\"[^\"]*\" target=\"_blank\" rel=\"noopener noreferrer "
                             r"nofollow\">", "", shown).replace("</a>", "")
    assert "<" not in without_anchors and ">" not in without_anchors
    assert html.unescape(without_anchors) == text


def test_a_hostile_run_costs_little():
    import time

    started = time.monotonic()
    link_html("a" * 200_000 + "@" + "b" * 200_000)
    link_html("x@" * 100_000)
    markdown_html("[" * MAX_MARKDOWN_CHARS)
    assert time.monotonic() - started < 5
