"""Hostile HTML costs linear time (issue 11): depth and size are bounded before the
sanitiser builds its tree, the text keeps every word, and the safe HTML stays safe."""

from __future__ import annotations

import random
import re
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.mail.html import _cleaner, html_to_text, sanitise_html
from frontline.mail.html_bounds import MAX_DEPTH, MAX_HTML_CHARS, VOID, bound_html
from frontline.mail.html_tokens import END, START, plain_text, tokens
from frontline.mail.parse import parse_message


def depth(html: str) -> int:
    """How deep the elements of serialised HTML nest."""
    deepest = current = 0
    for token in tokens(html):
        if token.kind == START and token.name not in VOID:
            current += 1
            deepest = max(deepest, current)
        elif token.kind == END and token.name not in VOID:
            current -= 1
    return deepest


def html_only_mail(html: str, *, subject: str = "Bericht", charset: str = "utf-8") -> bytes:
    mail = EmailMessage()
    mail["From"] = "Mei Chen <mei.chen@lotus-trading.example>"
    mail["To"] = "support@frontline.example"
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{abs(hash(html))}@lotus-trading.example>"
    mail.set_content(html, subtype="html", charset=charset)
    return bytes(mail)


def test_a_hundred_thousand_nested_divs_keep_their_text_and_lose_their_depth():
    words = "Der Export bricht bei Zeile 4711 ab"
    raw = html_only_mail("<div>" * 100_000 + words + "</div>" * 100_000 + "<p>Danke</p>")
    parsed = parse_message(raw)
    assert words in parsed.text and "Danke" in parsed.text
    assert parsed.html is not None and words in parsed.html
    assert depth(parsed.html) <= MAX_DEPTH + 1
    assert "nested more than 100 levels deep" in parsed.html  # the note at the top
    assert any(problem.startswith("HTML simplified: nested") for problem in parsed.problems)


BOOKINGS = ("Überweisung", "Lastschrift", "返金", "Storno", "Gutschrift", "Remboursement")


def test_a_one_megabyte_report_is_cut_in_html_but_whole_in_text():
    pick = random.Random(11).choice
    rows = "".join(
        f"<tr><td>{number}</td><td>{pick(BOOKINGS)}</td>"
        f"<td style='color:#{number % 4096:03x}'>{number * 3 % 997},{number % 100:02d} €</td></tr>"
        for number in range(14_000))
    raw = html_only_mail(f"<p>Monatsbericht März</p><table>{rows}</table><p>Ende Zeile 13999</p>")
    assert len(raw) > 1_000_000
    parsed = parse_message(raw)
    assert "Ende Zeile 13999" in parsed.text and "Monatsbericht März" in parsed.text
    assert parsed.text.count("€") == 14_000
    assert parsed.html is not None and "Monatsbericht März" in parsed.html
    assert "Ende Zeile 13999" not in parsed.html
    assert len(parsed.html) < 2 * MAX_HTML_CHARS
    assert "the formatted version stops there" in parsed.html
    assert any("longer than 500,000 characters" in problem for problem in parsed.problems)


def test_unclosed_formatting_does_not_multiply_the_html():
    # HTML5 re-opens every formatting element left open in each new block: 3,000 of
    # these came out of the sanitiser as 130 MB before the bounds.
    html = "".join(f"<div><font color='#{n * 2654435761 % 16777216:06x}'>Zeile {n}</div>"
                   for n in range(3_000))
    safe = sanitise_html(html)
    assert len(safe) < 2 * len(html)
    assert "Zeile 2999" in safe and depth(safe) <= 3
    assert "Zeile 2999" in html_to_text(html)


def test_unclosed_paragraphs_and_list_items_are_siblings_not_a_staircase():
    html = "<ul>" + "".join(f"<li>Punkt {n}" for n in range(400)) + "</ul>" + "<p>Absatz" * 300
    shape = bound_html(html)
    assert not shape.simplified and depth(shape.html) == 2
    assert shape.html.count("</li>") == 400 and shape.html.count("</p>") == 300


def test_a_letter_within_the_bounds_is_written_out_unchanged_in_meaning():
    letter = ('<div dir="ltr"><p>Hi team,</p><p>the <b>sync</b> fails &amp; logs say '
              '<code>E&lt;42&gt;</code>.</p><table border="1"><tr><th>Host</th><td>db-7'
              '</td></tr></table><ul><li>first<li>second</ul><br>Thanks<br>Ana</div>')
    shape = bound_html(letter)
    assert not shape.simplified and shape.notes == []
    assert sanitise_html(letter) == _cleaner(allow_remote_images=False).clean(letter)
    assert "<li>first</li><li>second</li>" in sanitise_html(letter)


def test_the_deep_forward_chain_keeps_every_level_in_text_and_no_script(mail):
    parsed = mail("html_deep_forward_chain_de.eml")
    for level in (1, 60, 120, 150):
        assert f"Stufe {level} \N{EN DASH}" in parsed.text
    assert "Fehler E-4711 beim Tagesabschluss" in parsed.text
    assert "Jörg Schäfer" in parsed.text
    html = parsed.html
    assert html is not None and "Stufe 150" in html
    assert depth(html) <= MAX_DEPTH + 1
    for forbidden in ("<script", "onerror", "javascript:", "evil.example", "document.cookie"):
        assert forbidden not in html


XSS_VECTORS = [
    '<img src=x onerror="alert(1)">',
    '<a title="</div><script>alert(2)</script>">link</a>',
    "<a href='java&#115;cript:alert(3)'>x</a>",
    '<svg><p><style><img src=x onerror=alert(4)></style></p></svg>',
    '<noscript><p title="</noscript><img src=x onerror=alert(5)>"></noscript>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(6)></style>',
    '<div a=b=c="d><img src=x onerror=alert(7)>">',
    '<!--<img src=x onerror=alert(8)>-->',
    '<xmp></xmp><img src=x onerror=alert(9)></xmp>',
    '<style><img src=x onerror=alert(10)></style>',
    '<p style="background:url(javascript:alert(11))">t</p>',
    '<form action="https://evil.example"><input name=pw></form>',
    '<iframe srcdoc="<script>alert(12)</script>"></iframe>',
    '<object data="data:text/html,<script>alert(13)</script>"></object>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxNCk8L3NjcmlwdD4=">d</a>',
]


@given(st.lists(st.sampled_from(XSS_VECTORS), min_size=1, max_size=6),
       st.integers(min_value=0, max_value=3 * MAX_DEPTH))
@settings(max_examples=60, deadline=None)
def test_xss_vectors_stay_neutralised_at_any_depth(vectors, nesting):
    html = "<div>" * nesting + "<b>".join(vectors) + "</div>" * nesting
    safe = sanitise_html(html)
    lowered = safe.lower()
    for forbidden in ("<script", "onerror", "javascript", "<iframe", "<form", "<object",
                      "<svg", "<math", "<input", "<style", "data:text", "url("):
        assert forbidden not in lowered
    assert re.search(r"<img[^>]*src=", safe) is None  # no remote or relative sources


TAGS = ["<div>", "</div>", "<p>", "</p>", "<b>", "</b>", "<i>", "</font>", "<table>", "<tr>",
        "<td>", "</td>", "</table>", "<ul>", "<li>", "</ul>", "<a href='https://x.example'>",
        "</a>", "<h2>", "<span>", "</span>", "<blockquote>", "<br>", "<pre>", "</pre>",
        "<center>", "<u>", "<s>"]
WORDS = ["Rechnung", "ошибка", "facture", "請求", "invoice", "fattura", "faktura", "42"]
# Formatting left open with attributes that differ: what the tree builder re-opens in
# every new block (identical ones it re-opens at most three times, HTML5's "Noah's ark").
OPEN_FORMATTING = st.builds("<font color=#{:06x}>".format, st.integers(0, 0xFFFFFF)) | \
    st.builds("<i title=t{}>".format, st.integers(0, 999))


@given(st.lists(st.sampled_from(TAGS) | st.sampled_from(WORDS) | OPEN_FORMATTING,
                min_size=300, max_size=1500))
@settings(max_examples=30, deadline=None)
def test_tag_soup_stays_linear_in_size_and_keeps_every_word(pieces):
    html = " ".join(pieces)
    safe = sanitise_html(html)
    # Unbounded, such soup came out of the sanitiser 10-20 times its size, growing with
    # its length; the rel="noopener noreferrer" nh3 adds to links is the honest growth.
    assert len(safe) <= 4 * len(html) + 400
    assert depth(safe) <= 2 * MAX_DEPTH + 4
    text = html_to_text(html)
    for word in set(pieces) & set(WORDS):
        assert word in text


def test_plain_text_reads_hostile_markup_in_linear_time_shapes():
    # Each of these made a regular-expression tag stripper go quadratic.
    for hostile in ("<" * 200_000, "<a " + '"' * 200_000, "<script>" * 50_000,
                    "<!--" * 50_000, "<a b='x' " * 50_000):
        assert isinstance(plain_text(hostile + "<p>Schluss"), str)
    assert plain_text("<<<p>Schluss") == "<<\nSchluss"
    assert plain_text("a<!-- <p>b --> c") == "a c"
