"""The placeholders of a canned reply: `{{ customer.first_name }}`, `{{ fact.version }}`.

Deliberately small: a placeholder names one value and does nothing else (no
filters, tags, attribute walks or code, unlike a Django template), so a macro can
read only what is listed here, its text cannot break a page, and a typo is
refused when the macro is saved rather than sent to a customer. Filling in is one
pass over the text: a value that itself holds `{{ ... }}` (a customer named
"{{ promise }}") is written as it is, never read as a placeholder again.

A value that is not known on a ticket is written visibly, "[first name unknown]",
so the agent sees the gap in the composer before sending; rendering never fails.

Pure: no database. The values of a ticket are read by frontline.kb.rendering.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from frontline.core.errors import InvalidInput
from frontline.intake.facts import MAX_KEY, clean_key

FACT = "fact."
# `{{` then anything up to the first `}}`; what is inside is the name.
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@dataclass(frozen=True)
class Placeholder:
    name: str
    says: str  # what it stands for, for the help next to the macro form
    missing: str  # written when the ticket does not know it


PLACEHOLDERS = (
    Placeholder("customer.first_name", "the requester's first name", "first name"),
    Placeholder("customer.name", "the requester's full name", "customer name"),
    Placeholder("ticket.reference", "the ticket's reference, FL-10427", "reference"),
    Placeholder("ticket.subject", "the ticket's subject", "subject"),
    Placeholder("promise", "when we promised to answer, as a sentence", "promise"),
    Placeholder("agent.first_name", "your first name", "agent name"),
)
_BY_NAME = {placeholder.name: placeholder for placeholder in PLACEHOLDERS}
FACT_HELP = Placeholder(FACT + "<key>", "a fact of the ticket: fact.version, fact.database",
                        "")


def _fact_key(name: str) -> str | None:
    """The key of `fact.<key>`, written as a fact key is stored (intake.facts.clean_key:
    lower case, letters, digits, - and _); None when it is not one."""
    if not name.startswith(FACT):
        return None
    key = name[len(FACT):]
    try:
        return key if clean_key(key) == key else None
    except InvalidInput:
        return None


def known_names() -> str:
    return ", ".join([p.name for p in PLACEHOLDERS] + [FACT_HELP.name])


def check(text: str, *, field: str = "body") -> list[str]:
    """The placeholder names `text` uses, in order, once each. InvalidInput naming
    `field` for a name that is not one, or a `{{` or `}}` left unpaired."""
    names: list[str] = []
    for match in _PLACEHOLDER.finditer(text):
        name = match.group(1).strip()
        if not name:
            raise InvalidInput("An empty placeholder {{ }}: name a value, e.g. "
                               "{{ customer.first_name }}.", field=field)
        if not _known(name):
            hint = (f" A fact key has letters, digits, - and _ (at most {MAX_KEY})."
                    if name.startswith(FACT) else "")
            raise InvalidInput(f"Unknown placeholder {{{{ {name[:60]} }}}}.{hint} "
                               f"Known: {known_names()}.", field=field)
        if name not in names:
            names.append(name)
    rest = _PLACEHOLDER.sub("", text)
    if "{{" in rest or "}}" in rest:
        raise InvalidInput("A '{{' or '}}' without its pair: write placeholders as "
                           "{{ customer.first_name }}.", field=field)
    return names


def _known(name: str) -> bool:
    return name in _BY_NAME or _fact_key(name) is not None


def names_in(text: str) -> list[str]:
    """The known placeholder names `text` uses, once each; never refuses (a text saved
    before a rule changed still renders, its unknown parts left as written)."""
    found = (match.group(1).strip() for match in _PLACEHOLDER.finditer(text))
    return list(dict.fromkeys(name for name in found if _known(name)))


def missing_text(name: str) -> str:
    """What stands in the text for a value the ticket does not know."""
    found = _BY_NAME.get(name)
    if found is not None:
        return f"[{found.missing} unknown]"
    return f"[{name[len(FACT):].replace('_', ' ')} unknown]"


def fill(text: str, values: Mapping[str, str | None]) -> str:
    """`text` with each placeholder replaced by its value in `values` (a blank or
    absent one by missing_text), in one pass. Expects a text that check() accepted;
    anything else between braces is left as written."""

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if not _known(name):
            return match.group(0)
        value = values.get(name)
        return value.strip() if value and value.strip() else missing_text(name)

    return _PLACEHOLDER.sub(value_of, text)
