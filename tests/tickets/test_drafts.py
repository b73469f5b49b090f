"""Composer drafts: kept per agent and ticket, private, ended by sending."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.core.errors import InvalidInput, NotAllowed
from frontline.tickets.models import ComposerDraft
from frontline.tickets.services import drafts
from frontline.tickets.services.inputs import MAX_BODY


def test_a_draft_is_kept_and_replaced_per_agent_and_ticket(lenas_ticket, lena, otto):
    drafts.save_draft(lenas_ticket, lena, "Hallo Bob,\nich schaue mir das an")
    drafts.save_draft(lenas_ticket, lena, "Hallo Bob,\nich habe es gefunden:", kind="note")
    drafts.save_draft(lenas_ticket, otto, "Otto's own words")
    mine = drafts.draft_for(lenas_ticket, lena)
    assert mine is not None and mine.body == "Hallo Bob,\nich habe es gefunden:"
    assert mine.kind == "note"
    assert drafts.draft_for(lenas_ticket, otto).body == "Otto's own words"
    assert ComposerDraft.objects.count() == 2


def test_clearing_the_box_removes_the_draft(lenas_ticket, lena):
    drafts.save_draft(lenas_ticket, lena, "half a sentence")
    assert drafts.save_draft(lenas_ticket, lena, " \r\n ") is None
    assert drafts.draft_for(lenas_ticket, lena) is None


def test_a_draft_longer_than_a_message_is_refused_not_cut(lenas_ticket, lena):
    drafts.save_draft(lenas_ticket, lena, "the short version")
    with pytest.raises(InvalidInput) as refused:
        drafts.save_draft(lenas_ticket, lena, "x" * (MAX_BODY + 1))
    assert refused.value.field == "body"
    assert drafts.draft_for(lenas_ticket, lena).body == "the short version"


def test_only_who_may_write_keeps_a_draft(lenas_ticket, vera):
    with pytest.raises(NotAllowed):
        drafts.save_draft(lenas_ticket, vera, "a viewer's thoughts")


def test_an_unknown_kind_is_refused(lenas_ticket, lena):
    with pytest.raises(InvalidInput) as refused:
        drafts.save_draft(lenas_ticket, lena, "text", kind="tweet")
    assert refused.value.field == "kind"


def test_sending_ends_the_writers_draft_only(lenas_ticket, lena, otto):
    drafts.save_draft(lenas_ticket, lena, "Please try 4.2.2")
    drafts.save_draft(lenas_ticket, otto, "L2 view: it is the cache")
    workflow.add_reply(lenas_ticket, lena, "Please try 4.2.2")
    assert drafts.draft_for(lenas_ticket, lena) is None
    assert drafts.draft_for(lenas_ticket, otto) is not None
    workflow.add_note(lenas_ticket, otto, "L2 view: it is the cache")
    assert drafts.draft_for(lenas_ticket, otto) is None


def test_a_refused_send_keeps_the_draft(lenas_ticket, lena):
    drafts.save_draft(lenas_ticket, lena, "nearly done")
    with pytest.raises(InvalidInput):
        workflow.add_reply(lenas_ticket, lena, "   ")
    assert drafts.draft_for(lenas_ticket, lena).body == "nearly done"


def test_a_draft_keeps_the_to_and_cc_as_typed(lenas_ticket, lena):
    drafts.save_draft(lenas_ticket, lena, "Antwort an den Einkauf",
                      to="einkauf@standard.example", cc="")
    draft = drafts.draft_for(lenas_ticket, lena)
    assert (draft.to, draft.cc) == ("einkauf@standard.example", "")
    # Saved again with the fields at their default (None): the default again.
    drafts.save_draft(lenas_ticket, lena, "Antwort an den Einkauf, zweite Fassung")
    draft = drafts.draft_for(lenas_ticket, lena)
    assert (draft.to, draft.cc) == (None, None)


def test_an_overlong_cc_is_refused_and_the_draft_stays(lenas_ticket, lena):
    drafts.save_draft(lenas_ticket, lena, "kurz", cc="ops@standard.example")
    with pytest.raises(InvalidInput) as refused:
        drafts.save_draft(lenas_ticket, lena, "länger", cc="a@b.example, " * 1000)
    assert refused.value.field == "cc"
    draft = drafts.draft_for(lenas_ticket, lena)
    assert (draft.body, draft.cc) == ("kurz", "ops@standard.example")
