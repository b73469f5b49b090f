"""Knowledge-base articles the request form suggests while the customer writes.

The form's questions step has a place for them (portal/request/_suggestions.html,
refreshed with the questions part): an article that answers the request there
saves the customer a wait and the front line a ticket. Nothing fills it yet:
the knowledge-base issue (frontline.kb: articles, deflection) implements
`suggestions_for` and the form shows what it returns, unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from frontline.tickets.taxonomy import Category


@dataclass(frozen=True)
class Suggestion:
    """An article to offer: its title, where it is read, and a line of what it says."""

    title: str
    url: str
    summary: str = ""


def suggestions_for(category: Category | None, text: str) -> list[Suggestion]:
    """Articles that may answer a request in `category` whose subject and
    description read `text`, best first; none until the knowledge base exists."""
    return []
