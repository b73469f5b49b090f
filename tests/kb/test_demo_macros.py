"""The demo's shared macros: saved as an admin would, in English and German, and each
fills in on a real ticket."""

from __future__ import annotations

from frontline.demo.macros import MACROS, create_macros
from frontline.kb.macros import usable_macros
from frontline.kb.rendering import render_macro


def test_the_demo_macros_are_shared_and_fill_in(ada, otto, lena, bobs_ticket) -> None:
    create_macros(ada)
    found = list(usable_macros(lena))
    assert sorted(m.title for m in found) == sorted(title for title, _, _ in MACROS)
    assert all(m.shared for m in found)
    assert any("(DE)" in m.title for m in found) and any("(DE)" not in m.title for m in found)
    for macro in found:
        text = render_macro(macro, bobs_ticket, lena)
        assert "{{" not in text and "Lena" in text, macro.title
        assert "Bob" in text, macro.title
