"""Odd values for the input fuzz tests (tests/api/test_fuzz.py, tests/desk/test_fuzz.py):
what a person, a script or an attacker may send where an id, a number, a date or a
name is expected. Each kind is here because it once reached a 500 (issue 11):
digits that are not ASCII pass str.isdigit() but not int(); years 1 and 9999
overflow a time zone's arithmetic; 20 digits overflow the database driver; a
blank name hit an assert.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import strategies as st

# Superscripts and other digits: isdigit() is true, int() refuses them or reads a
# number nobody saw ("١٢" is 12 to int()).
ODD_DIGITS = ["²", "¹", "³", "١٢", "٣", "१", "\U0001d7d7", "¹²³", "Ⅻ", "½"]
CONTROL = ["\x00", "a\x00b", "\x1f", "\x7f", "\u200b", "\ufeff", "\r\n", "\t", "\x1b[2J"]
BLANKS = ["", " ", "   ", "\u00a0"]
HUGE = ["99999999999999999999", "-99999999999999999999", "9" * 40, "1e309", "1e3", "-1",
        "0", "+7", "0x1F", "1_000", "NaN", "Infinity", "3.5"]
EDGE_DAYS = ["0001-01-01", "0001-01-05", "9999-12-31", "1899-12-31", "3000-01-01", "0",
             "20250301", "2025-02-30", "2025-13-01", "yesterday", "2025-W09-6"]
EDGE_TIMES = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59+14:00",
              "0001-01-01T00:00:00-12:00", "2025-01-31T25:00:00Z", "2025-01-31T09:00:00",
              "1700000000", "0.5"]
WORDS = ["Frontdesk", "lena", "standard", "premium", "FL-10001", "Zoë Ångström", "日本語",
         "x" * 300, "<script>alert(1)</script>", "'; DROP TABLE tickets; --", "%00", "../.."]

ODD_TEXT = ODD_DIGITS + CONTROL + BLANKS + HUGE + EDGE_DAYS + EDGE_TIMES + WORDS

# Non-ASCII digits, control and format characters, and spaces, mixed with ASCII
# digits: generated, so that the fixed lists above are not the only ones tried.
generated_text = st.text(
    alphabet=st.one_of(st.characters(categories=["Nd", "No", "Nl", "Cc", "Cf", "Zs"],
                                     exclude_characters="\ud800"),
                       st.sampled_from("0123456789-+:T ")),
    max_size=12)

edge_days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).filter(
    lambda day: day.year < 1900 or day.year > 2999).map(date.isoformat)

edge_times = st.builds(
    lambda day, minutes: datetime.combine(day, datetime.min.time()).replace(
        tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
    st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(1899, 12, 31), date(3000, 1, 1)]),
    st.integers(min_value=-14 * 60, max_value=14 * 60))

odd_text = st.one_of(st.sampled_from(ODD_TEXT), generated_text, edge_days, edge_times)

# JSON values of every type, for a body's fields.
odd_json = st.one_of(
    odd_text,
    st.sampled_from([None, True, False, 0, 1, -1, 10**20, -(10**20), 2**63, 1.5, 1e308,
                     [], {}, [""], ["²"], {"a": "²"}]),
    st.integers(min_value=-(2**70), max_value=2**70),
)
