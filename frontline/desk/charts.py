"""Charts drawn on the server as inline SVG: no JavaScript, no library, no CDN.

Two shapes cover the reports: columns (periods, histograms, hours per week,
optionally with a reference line such as the budget) and horizontal bars (named
groups such as plans, teams, organizations). Every bar carries its value as
text, so the chart reads without hovering; a <title> gives the exact figure.
Labels are escaped (they are plan, team and organization names).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TONES = {
    "good": "#3a9a5e",
    "warn": "#d99a06",
    "bad": "#c4412f",
    "accent": "#3d6fd6",
    "muted": "#b9c1cc",
}
INK, INK_3, GRID = "#1b2230", "#6b7585", "#e6e9ee"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no data (an empty slot, labelled "—")
    text: str = ""  # the value as shown on the bar
    tone: str = "accent"
    title: str = ""  # the tooltip; defaults to "label: text"


@dataclass(frozen=True)
class Reference:
    value: float
    label: str


def compliance_tone(percent: float | None) -> str:
    if percent is None:
        return "muted"
    if percent >= 95:
        return "good"
    if percent >= 80:
        return "warn"
    return "bad"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _fmt_tick(value: float, unit: str) -> str:
    text = _num(value)
    return f"{text}{unit}"


def _title(bar: Bar) -> str:
    return bar.title or f"{bar.label}: {bar.text or _num(bar.value or 0)}"


def _svg(width: int, height: int, label: str, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" {FONT} font-size="12" '
        f'preserveAspectRatio="xMinYMin meet"><title>{escape(label)}</title>'
        + "".join(body) + "</svg>")


def column_chart(bars: list[Bar], *, label: str, unit: str = "", max_value: float | None = None,
                 reference: Reference | None = None, width: int = 640,
                 height: int = 220) -> SafeString:
    """Vertical columns with the value on top and the label below."""
    left, right, top, bottom = 44, 12, 18, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [bar.value for bar in bars if bar.value is not None]
    highest = max([*values, reference.value if reference else 0, 0])
    scale_max = max_value if max_value is not None else nice_ceiling(highest)
    body: list[str] = []
    for i in range(5):
        tick = scale_max * i / 4
        y = top + plot_h - plot_h * i / 4
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK_3}" '
                    f'font-size="11">{escape(_fmt_tick(tick, unit))}</text>')
    slot = plot_w / max(len(bars), 1)
    bar_w = max(4.0, min(56.0, slot * 0.66))
    # With many columns every other label is left out so the rest stay legible.
    label_every = 1 if slot >= 34 else 2 if slot >= 17 else 4
    for i, bar in enumerate(bars):
        x = left + slot * i + (slot - bar_w) / 2
        centre = left + slot * i + slot / 2
        body.append(f'<g class="bar"><title>{escape(_title(bar))}</title>')
        if bar.value is None:
            body.append(f'<text x="{centre:.1f}" y="{top + plot_h - 4:.1f}" text-anchor="middle" '
                        f'fill="{INK_3}">—</text>')
        else:
            h = plot_h * min(bar.value, scale_max) / scale_max if scale_max else 0
            y = top + plot_h - h
            colour = TONES.get(bar.tone, TONES["accent"])
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                        f'rx="2" fill="{colour}"/>')
            if bar.text and slot >= 22:
                body.append(f'<text x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                            f'fill="{INK}" font-size="11">{escape(bar.text)}</text>')
        body.append("</g>")
        if i % label_every == 0:
            body.append(f'<text x="{centre:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                        f'fill="{INK_3}" font-size="11">{escape(bar.label)}</text>')
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
                f'y2="{top + plot_h}" stroke="{INK_3}"/>')
    if reference is not None and scale_max:
        y = top + plot_h - plot_h * min(reference.value, scale_max) / scale_max
        body.append(f'<line class="reference" x1="{left}" x2="{width - right}" y1="{y:.1f}" '
                    f'y2="{y:.1f}" stroke="{TONES["bad"]}" stroke-width="1.5" '
                    f'stroke-dasharray="6 4"/>')
        body.append(f'<text x="{width - right}" y="{y - 5:.1f}" text-anchor="end" '
                    f'fill="{TONES["bad"]}" font-size="11" font-weight="600">'
                    f'{escape(reference.label)}</text>')
    return _svg(width, height, label, body)


def bar_chart(bars: list[Bar], *, label: str, max_value: float | None = None,
              width: int = 640, label_width: int = 150) -> SafeString:
    """Horizontal bars, one row each: the name, the bar, the value at its end."""
    row_h, top, right = 26, 6, 90
    height = top * 2 + row_h * max(len(bars), 1)
    plot_w = width - label_width - right
    values = [bar.value for bar in bars if bar.value is not None]
    scale_max = max_value if max_value is not None else (max(values) if values else 1) or 1
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = top + row_h * i
        name = bar.label if len(bar.label) <= 22 else bar.label[:21] + "…"
        body.append(f'<g class="bar"><title>{escape(_title(bar))}</title>')
        body.append(f'<text x="{label_width - 8}" y="{y + row_h / 2 + 4:.1f}" '
                    f'text-anchor="end" fill="{INK}" font-size="13">{escape(name)}</text>')
        body.append(f'<rect x="{label_width}" y="{y + 4}" width="{plot_w}" '
                    f'height="{row_h - 8}" rx="2" fill="#f1f3f6"/>')
        if bar.value is None:
            w = 0.0
        else:
            w = plot_w * min(bar.value, scale_max) / scale_max if scale_max else 0.0
            colour = TONES.get(bar.tone, TONES["accent"])
            body.append(f'<rect x="{label_width}" y="{y + 4}" width="{w:.1f}" '
                        f'height="{row_h - 8}" rx="2" fill="{colour}"/>')
        text = bar.text if bar.value is not None else "no data"
        body.append(f'<text x="{label_width + plot_w + 8}" y="{y + row_h / 2 + 4:.1f}" '
                    f'fill="{INK if bar.value is not None else INK_3}" font-weight="600" '
                    f'font-size="13">'
                    f'{escape(text)}</text></g>')
    return _svg(width, height, label, body)
