"""Customer HTML is sanitised before anyone sees it."""

from __future__ import annotations

from frontline.mail.html import sanitise_html


def test_scripts_styles_and_event_handlers_are_removed(mail):
    html = mail("html_only.eml").html
    assert html is not None
    for forbidden in ("<script", "alert('xss')", "<style", "onload", "onclick", "<title"):
        assert forbidden not in html


def test_javascript_and_data_links_are_removed_but_web_links_kept_with_noopener(mail):
    html = mail("html_only.eml").html
    assert html is not None
    assert "javascript:" not in html and "data:text/html" not in html
    assert ('<a href="https://shop.example/orders/4711" rel="noopener noreferrer">my order</a>'
            in html)


def test_forms_and_iframes_are_removed_with_their_content(mail):
    html = mail("html_only.eml").html
    assert html is not None
    assert "<form" not in html and "<input" not in html and "<iframe" not in html
    assert "evil.example" not in html


def test_remote_images_are_blocked_as_tracking_pixels(mail):
    html = mail("html_only.eml").html
    assert html is not None and "tracker.example" not in html


def test_cid_and_small_raster_data_images_are_kept_but_svg_is_not(mail):
    html = mail("html_only.eml").html
    assert html is not None
    assert 'src="cid:sig-logo@example.org"' in html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in html
    assert "image/svg" not in html


def test_css_that_escapes_its_box_is_dropped_but_colours_stay(mail):
    html = mail("html_only.eml").html
    assert html is not None
    assert 'style="color:red"' in html and "position" not in html


def test_tables_and_formatting_are_kept(mail):
    html = mail("html_only.eml").html
    assert html is not None
    assert '<table border="1">' in html and "<th>Item</th>" in html and "<b>#4711</b>" in html


def test_remote_images_can_be_allowed_when_an_agent_asks():
    html = '<img src="https://cdn.example/logo.png">'
    assert sanitise_html(html) == "<img>"
    assert sanitise_html(html, allow_remote_images=True) == html
