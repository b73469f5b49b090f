"""A ticket's own fields read from what a person typed (tickets/services/inputs.py)."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.core.errors import InvalidInput
from frontline.tickets.services.inputs import clean_body, clean_subject


@pytest.mark.parametrize("typed", ["Hallo\x00", "\x00", "line\n\x00\nline"])
def test_a_nul_is_refused_naming_the_field(typed):
    with pytest.raises(InvalidInput, match="must not contain NUL") as refused:
        clean_body(typed, field="text")
    assert refused.value.field == "text"
    with pytest.raises(InvalidInput, match="must not contain NUL") as refused:
        clean_subject(typed)
    assert refused.value.field == "subject"


def test_a_reply_with_a_nul_changes_nothing_on_either_engine(bobs_ticket, lena):
    # Found by the desk fuzz test: PostgreSQL answered a 500 for this reply.
    before = bobs_ticket.messages.count()
    with pytest.raises(InvalidInput):
        workflow.add_reply(bobs_ticket, lena, "Restart the export\x00 please.")
    assert bobs_ticket.messages.count() == before
    assert clean_body("  Merci,\r\nà demain ") == "  Merci,\nà demain "
