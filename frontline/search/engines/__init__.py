"""Search engines. PLACEHOLDER until the FTS5/PostgreSQL engines land."""

from __future__ import annotations

from typing import Any


class _NullEngine:
    def index_ticket(self, ticket: Any) -> None:
        return None

    def index_message(self, message: Any) -> None:
        return None

    def remove_ticket(self, ticket_id: int) -> None:
        return None


def get_engine() -> _NullEngine:
    return _NullEngine()
