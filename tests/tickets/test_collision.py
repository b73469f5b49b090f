"""Never two answers at once (issue 12): a reply or note sent without having seen
what was written since is held, with the newer messages, and nothing is stored."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from frontline import workflow
from frontline.core.errors import InvalidInput
from frontline.tickets.models import Message, MessageKind, Ticket
from frontline.tickets.services.collision import NewerEntries, newer_messages


def newest(ticket: Ticket) -> int:
    return Message.objects.filter(ticket=ticket).order_by("-pk").values_list(
        "pk", flat=True)[0]


def staff_messages(ticket: Ticket) -> list[tuple[str, str]]:
    return list(Message.objects.filter(ticket=ticket, author_user__isnull=False)
                .order_by("pk").values_list("author_user__username", "body"))


def test_otto_replied_first_so_lenas_reply_is_held_with_his(lena, otto, bobs_ticket):
    seen = newest(bobs_ticket)
    ottos = workflow.add_reply(bobs_ticket, otto, "Please clear the token cache.", seen=seen)
    with pytest.raises(NewerEntries) as held:
        workflow.add_reply(bobs_ticket, lena, "Could you try a private window?", seen=seen)
    assert held.value.status_code == 409
    assert held.value.field == "seen"
    assert [m.pk for m in held.value.messages] == [ottos.pk]
    assert held.value.message.startswith("Otto Level-Two replied on ")
    assert staff_messages(bobs_ticket) == [("otto", "Please clear the token cache.")]


def test_once_she_has_seen_it_her_reply_goes_out(lena, otto, bobs_ticket):
    seen = newest(bobs_ticket)
    ottos = workflow.add_reply(bobs_ticket, otto, "Please clear the token cache.")
    with pytest.raises(NewerEntries):
        workflow.add_reply(bobs_ticket, lena, "Adding to Otto's answer: restart too.", seen=seen)
    workflow.add_reply(bobs_ticket, lena, "Adding to Otto's answer: restart too.", seen=ottos.pk)
    assert [who for who, _ in staff_messages(bobs_ticket)] == ["otto", "lena"]


def test_a_customer_message_and_a_note_hold_a_note_too(lena, otto, alice, alices_ticket):
    seen = newest(alices_ticket)
    workflow.add_customer_message(alices_ticket, alice, "Heute Nacht ist der Export wieder "
                                                      "abgebrochen, Fehler ORA-01013.")
    workflow.add_note(alices_ticket, otto, "Looks like the statement timeout again.")
    with pytest.raises(NewerEntries) as held:
        workflow.add_note(alices_ticket, lena, "Shall I ask for the job log?", seen=seen)
    assert [m.kind for m in held.value.messages] == [MessageKind.INBOUND, MessageKind.NOTE]
    assert held.value.message.startswith("Alice Premium wrote and Otto Level-Two added a note")
    assert not Message.objects.filter(ticket=alices_ticket, author_user=lena).exists()


def test_her_own_messages_never_hold_her(lena, bobs_ticket):
    seen = newest(bobs_ticket)
    workflow.add_note(bobs_ticket, lena, "Checking the token service logs.")
    workflow.add_reply(bobs_ticket, lena, "We are looking into it.", seen=seen)
    assert [who for who, _ in staff_messages(bobs_ticket)] == ["lena", "lena"]


def test_each_author_is_named_once_in_order(lena, otto, ada, bobs_ticket):
    seen = newest(bobs_ticket)
    for author, text in [(otto, "First idea."), (ada, "Escalating internally."),
                         (otto, "Second idea, longer: " + "details " * 40)]:
        workflow.add_note(bobs_ticket, author, text)
    with pytest.raises(NewerEntries) as held:
        workflow.add_reply(bobs_ticket, lena, "Hello Bob", seen=seen)
    assert len(held.value.messages) == 3
    assert held.value.message.startswith(
        "Otto Level-Two added a note and Ada Admin added a note on ")


def test_without_seen_nothing_is_checked(lena, otto, bobs_ticket):
    workflow.add_reply(bobs_ticket, otto, "One.")
    workflow.add_reply(bobs_ticket, lena, "Two.")
    assert len(staff_messages(bobs_ticket)) == 2


def test_seen_zero_means_nothing_read_yet(lena, bobs_ticket):
    with pytest.raises(NewerEntries) as held:
        workflow.add_reply(bobs_ticket, lena, "Hi Bob", seen=0)
    assert held.value.messages[0].kind == MessageKind.INBOUND  # Bob's first message


@pytest.mark.parametrize("wrong", ["other ticket", -1, 2**70])
def test_a_seen_that_is_no_message_of_the_ticket_is_refused(lena, bobs_ticket, alices_ticket,
                                                           wrong):
    seen = newest(alices_ticket) if wrong == "other ticket" else wrong
    with pytest.raises(InvalidInput) as refused:
        workflow.add_reply(bobs_ticket, lena, "Hi Bob", seen=seen)
    assert refused.value.field == "seen"
    assert bobs_ticket.reference in refused.value.message
    assert staff_messages(bobs_ticket) == []


def test_newer_messages_lists_others_oldest_first(lena, otto, bob, bobs_ticket):
    seen = newest(bobs_ticket)
    first = workflow.add_reply(bobs_ticket, otto, "Which browser?")
    workflow.add_note(bobs_ticket, lena, "My own note.")
    second = workflow.add_customer_message(bobs_ticket, bob, "Firefox 128 on Ubuntu.")
    assert [m.pk for m in newer_messages(bobs_ticket, seen, lena)] == [first.pk, second.pk]


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="a real race needs a server with row locks and concurrent writers")
def test_three_agents_pressing_send_at_once_give_one_answer(transactional_db, lena, otto, ada,
                                                            bobs_ticket):
    """The check runs under the ticket's row lock: whoever comes second sees the first
    one's reply and is held, however close together they press Send."""
    seen = newest(bobs_ticket)
    start = threading.Barrier(3)
    outcomes: dict[str, str] = {}

    def send(agent, text: str) -> None:
        try:
            start.wait()
            workflow.add_reply(Ticket.objects.get(pk=bobs_ticket.pk), agent, text, seen=seen)
            outcomes[agent.username] = "sent"
        except NewerEntries:
            outcomes[agent.username] = "held"
        except BaseException as error:  # reported below
            outcomes[agent.username] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(agent, text)) for agent, text in
               [(lena, "Restart the app."), (otto, "Clear the cache."), (ada, "Reinstall.")]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["held", "held", "sent"], outcomes
    assert len(staff_messages(bobs_ticket)) == 1
