"""Mail arrives out of order (issue 11): archives, several mailboxes, delayed
delivery, a customer who copies support on a reply. The import reads every mail's
date first and processes the oldest first; a reply that still comes before its
original (live, or undated in an import) opens a ticket that the original joins
when it comes: merged, with the redirect and a line on the timeline."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.test import Client

from frontline import workflow
from frontline.mail.importer import import_mail
from frontline.mail.models import InboundMail, InboundState, QuotedMessageId
from frontline.mail.services import process_inbound
from frontline.tickets.models import Event, Message, Ticket, TicketLink
from tests.mail.conversations import Written, as_mbox, write_conversations
from tests.mail.inbound_mails import compose, deliver

pytestmark = pytest.mark.django_db


def _tickets_of(written: Written) -> list[set[int]]:
    """For each conversation, the tickets its mails' messages are on."""
    ticket_of = dict(Message.objects.exclude(email_message_id="")
                     .values_list("email_message_id", "ticket_id"))
    return [{ticket_of.get(mid, -1) for mid in conversation.message_ids}
            for conversation in written.conversations]


def assert_every_conversation_on_one_ticket(written: Written) -> None:
    tickets = _tickets_of(written)
    split = [conversation.message_ids for conversation, found
             in zip(written.conversations, tickets, strict=True) if len(found) != 1]
    assert split == []
    assert -1 not in set().union(*tickets)  # every mail has its message
    assert len({found.pop() for found in tickets}) == len(written.conversations)
    live = Ticket.objects.filter(merged_into__isnull=True)
    assert live.count() == len(written.conversations)


# -- the import: oldest first, whatever the files are called ------------------------


@pytest.mark.parametrize("one_by_one", [False, True], ids=["batched", "one by one"])
def test_every_reply_threads_when_the_files_come_in_random_order(tmp_path, one_by_one):
    written = write_conversations(tmp_path / "export", 40, seed=11)
    mails = len(written.files)
    assert sorted(written.files) != written.files  # the names are not the mails' order
    options = {"process": process_inbound} if one_by_one else {"batch_mails": 17}
    summary = import_mail([tmp_path / "export"], **options)
    assert (summary.stored, summary.already_there, summary.failed) == (mails, 0, 0)
    assert summary.tickets_opened == 40 and summary.tickets_joined == 0
    assert_every_conversation_on_one_ticket(written)
    assert not Event.objects.filter(kind="merged").exists()  # nothing needed joining


def test_a_shuffled_mbox_is_read_in_date_order_too(tmp_path):
    written = write_conversations(tmp_path / "export", 25, seed=23)
    box = as_mbox(written.files, tmp_path / "archive.mbox", random.Random(5))
    summary = import_mail([box], batch_mails=9)
    assert (summary.stored, summary.failed, summary.tickets_opened) == (
        len(written.files), 0, 25)
    assert_every_conversation_on_one_ticket(written)
    # The ">From " escape of the mbox came off again.
    assert not InboundMail.objects.filter(raw__contains=b"\n>From ").exists()


@pytest.mark.parametrize("one_by_one", [False, True], ids=["batched", "one by one"])
def test_an_original_without_a_date_comes_last_and_joins_its_replies(tmp_path, one_by_one):
    written = write_conversations(tmp_path / "export", 18, seed=7, undated_originals=5)
    options = {"process": process_inbound} if one_by_one else {"batch_mails": 50}
    summary = import_mail([tmp_path / "export"], **options)
    assert (summary.stored, summary.failed) == (len(written.files), 0)
    assert_every_conversation_on_one_ticket(written)
    for conversation in written.conversations[:5]:
        original = InboundMail.objects.get(header_message_id=conversation.message_ids[0])
        first_reply = InboundMail.objects.get(header_message_id=conversation.message_ids[1])
        assert original.ticket_id == first_reply.ticket_id
        # The reply came first and opened the ticket; the original joined it.
        assert original.processed_at >= first_reply.processed_at


def test_dates_are_compared_as_instants_not_as_written(tmp_path):
    """10:30 in New York is after 15:00 in Berlin."""
    (tmp_path / "a.eml").write_bytes(compose(
        message_id="late-reply@customer.example", in_reply_to="first@customer.example",
        subject="Re: Export", body="Any news?", date="Mon, 03 Mar 2025 10:30:00 -0500"))
    (tmp_path / "b.eml").write_bytes(compose(
        message_id="first@customer.example", subject="Export", body="Export fails.",
        date="Mon, 03 Mar 2025 15:00:00 +0100"))
    summary = import_mail([tmp_path / "a.eml", tmp_path / "b.eml"])
    assert (summary.stored, summary.tickets_opened, summary.tickets_joined) == (2, 1, 0)
    ticket = Ticket.objects.get()
    bodies = list(ticket.messages.values_list("body", flat=True))
    assert len(bodies) == 2 and "Export fails." in bodies[0] and "Any news?" in bodies[1]
    assert ticket.subject == "Export"


# -- live: the reply first, then its original ---------------------------------------


def test_a_late_original_joins_the_ticket_its_reply_opened(bob):
    reply = deliver(compose(message_id="r1@standard.example", in_reply_to="o1@standard.example",
                            subject="Re: Login broken", body="Forgot to say: it is all users."))
    original = deliver(compose(message_id="o1@standard.example", subject="Login broken",
                               body="Nobody can log in since the upgrade."))
    assert original.state == InboundState.PROCESSED
    assert original.ticket_id == reply.ticket_id
    assert original.opened_ticket is False and original.joined_tickets == 0
    assert Ticket.objects.count() == 1
    # Nothing was merged: the original simply joined its conversation, unacknowledged
    # (the reply's ticket was acknowledged when it opened).
    assert not Event.objects.filter(kind__in=["merged", "merged_from"]).exists()


def test_a_late_original_that_threads_elsewhere_merges_the_split_conversation(bob, lena):
    """Bob's ticket A is open. His next mail O (about A) is delayed; his follow-up R
    to O comes first, quotes only O, and opens B. When O comes, it lands on A, and B
    merges into A: B's reference redirects, both timelines say why."""
    first = deliver(compose(message_id="a1@standard.example", subject="Export fails",
                            body="The nightly export fails."))
    ticket_a = first.ticket
    follow_up = deliver(compose(message_id="r2@standard.example",
                                in_reply_to="o2@standard.example", subject="Re: Export fails",
                                body="Here is the log you will ask for."))
    ticket_b = follow_up.ticket
    assert ticket_b.pk != ticket_a.pk
    late = deliver(compose(message_id="o2@standard.example", subject="Re: Export fails",
                           references="<a1@standard.example>", in_reply_to="a1@standard.example",
                           body="It failed again tonight."))
    assert late.ticket_id == ticket_a.pk and late.joined_tickets == 1
    ticket_b.refresh_from_db()
    assert ticket_b.merged_into_id == ticket_a.pk and ticket_b.status == "closed"
    assert set(Message.objects.filter(ticket=ticket_a, kind="inbound")
               .values_list("email_message_id", flat=True)) == {
        "a1@standard.example", "r2@standard.example", "o2@standard.example"}
    merged = Event.objects.get(ticket=ticket_b, kind="merged")
    assert merged.actor is None and merged.detail["into"] == ticket_a.reference
    assert "o2@standard.example" in merged.detail["reason"]
    assert Event.objects.get(ticket=ticket_a, kind="merged_from").detail["source"] \
        == ticket_b.reference
    # The merged reference redirects, on the desk and for mail.
    client = Client()
    client.force_login(lena)
    page = client.get(f"/t/{ticket_b.reference}")
    assert page.status_code == 302 and page["Location"].startswith(f"/t/{ticket_a.reference}?")
    timeline = client.get(page["Location"]).content.decode()
    assert (f'Automatically merged <a href="/t/{ticket_b.reference}">{ticket_b.reference}</a> '
            "into this ticket") in timeline
    assert "the replies that opened it came before the mail they answer" in timeline
    later = deliver(compose(message_id="r3@standard.example", in_reply_to="r2@standard.example",
                            subject="Re: Export fails", body="Did the log help?"))
    assert later.ticket_id == ticket_a.pk


def test_two_replies_that_each_opened_a_ticket_are_joined_by_their_original(bob):
    """Two colleagues' mail clients each answered O only (In-Reply-To); both replies
    came before O. Same customer: O lands on the older ticket, the other merges in."""
    one = deliver(compose(message_id="x1@standard.example", in_reply_to="orig@standard.example",
                          subject="Re: Printing", body="Printing fails on floor 2 too."))
    two = deliver(compose(message_id="x2@standard.example", in_reply_to="orig@standard.example",
                          subject="Re: Printing", body="And on floor 5."))
    assert one.ticket_id != two.ticket_id
    original = deliver(compose(message_id="orig@standard.example", subject="Printing",
                               body="Printing to PDF fails."))
    assert original.ticket_id == one.ticket_id and original.joined_tickets == 1
    assert Ticket.objects.get(pk=two.ticket_id).merged_into_id == one.ticket_id
    assert Ticket.objects.filter(merged_into__isnull=True).count() == 1


def test_another_customers_split_ticket_is_linked_for_an_agent_not_merged(bob, alice):
    """A merge across customers needs an agent's confirmation: Frontline links instead."""
    deliver(compose(sender="Alice Premium <alice@premium.example>",
                    message_id="al1@premium.example", subject="Shared report",
                    body="Our shared report with Initech is empty."))
    alices = Ticket.objects.get()
    bobs_reply = deliver(compose(message_id="b9@standard.example",
                                 in_reply_to="al2@premium.example",
                                 subject="Re: Shared report", body="Empty for us as well."))
    late = deliver(compose(sender="Alice Premium <alice@premium.example>",
                           message_id="al2@premium.example", in_reply_to="al1@premium.example",
                           subject="Re: Shared report", body="Copying Bob from Initech."))
    assert late.ticket_id == alices.pk and late.joined_tickets == 0
    bobs = Ticket.objects.get(pk=bobs_reply.ticket_id)
    assert bobs.merged_into_id is None
    low, high = sorted([alices.pk, bobs.pk])
    assert TicketLink.objects.filter(from_ticket_id=low, to_ticket_id=high).exists()
    linked = Event.objects.get(ticket=bobs, kind="linked")
    assert "Different customers" in linked.detail["reason"]


def test_references_to_a_known_ticket_win_over_an_unknown_in_reply_to(bob):
    """A mail answering one we never saw, whose References name our ticket's mail."""
    first = deliver(compose(message_id="k1@standard.example", subject="VPN drops",
                            body="The VPN drops every hour."))
    other = deliver(compose(message_id="k3@standard.example", in_reply_to="k2@elsewhere.example",
                            references="<k1@standard.example> <k2@elsewhere.example>",
                            subject="Re: VPN drops", body="Still dropping."))
    assert other.ticket_id == first.ticket_id and Ticket.objects.count() == 1


def test_what_a_mail_quoted_is_remembered_except_our_own_message_ids(bob, lena):
    deliver(compose(message_id="q2@standard.example", in_reply_to="q1@standard.example",
                    references="<q0@standard.example> <q1@standard.example>",
                    subject="Re: Sync", body="Sync still stuck."))
    quoted = QuotedMessageId.objects.select_related("message")
    assert sorted(quoted.values_list("quoted_id", flat=True)) == [
        "q0@standard.example", "q1@standard.example"]
    assert {row.message.email_message_id for row in quoted} == {"q2@standard.example"}
    # Our own Message-IDs are never late: not remembered.
    ours = Ticket.objects.get()
    reply = workflow.add_reply(ours, lena, "Looking into it.")
    reply.refresh_from_db()
    reply_id = reply.email_message_id
    assert reply_id
    deliver(compose(message_id="q3@standard.example", in_reply_to=reply_id.strip("<>"),
                    subject="Re: Sync", body="Thanks."))
    assert not QuotedMessageId.objects.filter(quoted_id=reply_id.strip("<>")).exists()


# -- the summary: each mail once, and the exit status says whether all went well ----


def _broken_and_good(folder: Path) -> dict[str, int]:
    folder.mkdir()
    (folder / "01-empty.eml").write_bytes(b"")
    (folder / "02-no-sender.eml").write_bytes(
        b"To: help@oldesk.example\nSubject: Who am I?\nMessage-ID: <anon@x.example>\n"
        b"Date: Tue, 04 Mar 2025 10:00:00 +0000\n\nNo From header at all.\n")
    for number, language in enumerate(["Hello", "Hallo", "Bonjour", "Hola"]):
        (folder / f"{90 - number}-good.eml").write_bytes(compose(
            message_id=f"good{number}@standard.example", subject=f"{language} {number}",
            body=f"{language}, question {number}.", date=f"Mon, 0{number + 1} Sep 2025 "
                                                           "09:00:00 +0200"))
    (folder / "50-copy.eml").write_bytes((folder / "90-good.eml").read_bytes())
    return {"files": 7, "good": 4}


@pytest.mark.parametrize("one_by_one", [False, True], ids=["batched", "one by one"])
def test_the_summary_counts_each_mail_once(tmp_path, one_by_one):
    counts = _broken_and_good(tmp_path / "mixed")
    options = {"process": process_inbound} if one_by_one else {}
    summary = import_mail([tmp_path / "mixed"], **options)
    # 4 good ones stored; the copy of one was already there by the time it was read;
    # the empty file is refused; the mail without a sender is stored and kept.
    assert (summary.stored, summary.already_there, summary.failed, summary.failed_kept) == (
        counts["good"], 1, 2, 1)
    assert summary.total == counts["files"]
    assert summary.tickets_opened == counts["good"]
    again = import_mail([tmp_path / "mixed"], **options)
    # The kept one is already there (failed before); the empty file fails again.
    assert (again.stored, again.already_there, again.failed) == (0, 6, 1)


def test_the_cli_says_exactly_what_happened_and_fails_when_a_mail_failed(tmp_path, capsys):
    from frontline.cli import main

    _broken_and_good(tmp_path / "mixed")
    code = main(["mail", "import", str(tmp_path / "mixed")])
    out = capsys.readouterr().out
    assert code == 1
    assert "Read 7 mails in " in out
    assert "4 stored, 1 already there, 2 failed, 4 tickets opened." in out
    assert "1 of the failed mails are stored but could not be processed" in out
    assert "01-empty.eml: The mail is empty." in out
    assert "02-no-sender.eml: stored, but could not be processed" in out

    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "only.eml").write_bytes(compose(message_id="only@standard.example"))
    assert main(["mail", "import", str(clean)]) == 0
    assert "Read 1 mails in " in capsys.readouterr().out


def test_undated_mail_keeps_the_order_it_was_found_in_after_the_dated(tmp_path):
    for name, number in [("c.eml", 1), ("a.eml", 2), ("b.eml", 3)]:
        raw = compose(message_id=f"u{number}@standard.example", subject=f"Undated {number}")
        (tmp_path / name).write_bytes(raw.replace(b"\nDate: ", b"\nX-Old-Date: "))
    (tmp_path / "z.eml").write_bytes(compose(message_id="dated@standard.example",
                                             subject="Dated", date="Mon, 03 Mar 2025 "
                                                                   "09:00:00 +0000"))
    import_mail([tmp_path])
    by_pk = list(InboundMail.objects.order_by("pk").values_list("subject", flat=True))
    assert by_pk == ["Dated", "Undated 2", "Undated 3", "Undated 1"]
