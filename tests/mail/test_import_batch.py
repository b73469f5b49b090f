"""The import writes mail in batches (frontline.mail.batch); what it writes must be
exactly what processing one mail at a time writes: the same tickets, messages,
events, participants, contacts, attachments, links, SLA clock fields, search index
rows and stored-mail states, in the same timeline order. Each test imports one
history both ways, on the same database state, and compares every row."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, models, transaction

from frontline import workflow
from frontline.customers.models import Contact, ContactEmail, Organization
from frontline.mail.importer import import_mail
from frontline.mail.models import InboundMail, InboundState, OutboundMail
from frontline.mail.services import process_inbound, reprocess_pending
from frontline.sla.models import SlaMeasurement, SlaPolicy
from frontline.tickets.models import (
    Attachment,
    Blob,
    Event,
    Message,
    Participant,
    Status,
    Ticket,
    TicketClock,
    TicketLink,
)

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "corpus"
START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
CORPUS_FILES = ["bounce_postfix_dsn.eml", "ooo_exchange.eml", "charset_iso2022jp.eml",
                "html_only_outlook_reply.eml", "tnef_winmail.eml", "garbage.eml",
                "list_mail.eml", "rfc2231_filenames.eml", "inline_image_cid.eml",
                "forward_as_attachment.eml",
                # RFC 6531 senders; the last two are one person, by both IDNA spellings.
                "eai_pt_thunderbird.eml", "eai_zh_cjk.eml", "eai_de_outlook_idna.eml",
                "eai_de_punycode_domain.eml"]


def _mail(number: int, sender: str, *, subject: str = "", reply_to: str = "", to: str = "",
          cc: str = "", body: str = "", extra: str = "", attachment: bytes = b"") -> bytes:
    headers = [f"From: {sender}" if sender else "",
               f"To: {to or 'Help <help@oldesk.example>'}",
               f"Cc: {cc}" if cc else "",
               f"Subject: {subject or f'Question {number}'}",
               f"Date: {format_datetime(START + timedelta(hours=number))}",
               f"Message-ID: <m{number}@history.example>",
               f"In-Reply-To: <{reply_to}>" if reply_to else "",
               f"References: <{reply_to}>" if reply_to else "",
               extra, "MIME-Version: 1.0"]
    head = "\n".join(line for line in headers if line)
    text = body or f"Hello, this is mail {number}.\n\n> quoted history\n"
    if not attachment:
        return f"{head}\nContent-Type: text/plain; charset=utf-8\n\n{text}".encode()
    import base64

    return (f"{head}\nContent-Type: multipart/mixed; boundary=\"b{number}\"\n\n"
            f"--b{number}\nContent-Type: text/plain; charset=utf-8\n\n{text}\n"
            f"--b{number}\nContent-Type: application/pdf; name=\"log{number}.pdf\"\n"
            f"Content-Disposition: attachment; filename=\"log{number}.pdf\"\n"
            "Content-Transfer-Encoding: base64\n\n").encode() + base64.encodebytes(
                attachment) + f"--b{number}--\n".encode()


def _history(world: dict[str, Any]) -> list[bytes]:
    """A history with every case the import meets, in the order it meets them."""
    closed, resolved = world["closed"], world["resolved"]
    mails = [
        _mail(1, "Carol <carol@newco.example>", cc="Dave <dave@newco.example>"),
        _mail(2, "Carol <carol@newco.example>", reply_to="m1@history.example",
              cc="Erin <erin@newco.example>, Bob <bob@standard.example>"),
        _mail(3, "Nina Nameless <nameless@standard.example>"),
        _mail(4, "Otto <otto@frontline.test>", subject="Re: Question 1",
              reply_to="m2@history.example", to="carol@newco.example"),
        _mail(5, "Carol <carol@newco.example>", subject="Automatic reply: Question 1",
              reply_to="m4@history.example", extra="Auto-Submitted: auto-replied"),
        _mail(6, "Carol <carol@newco.example>", subject="Re: Question 1",
              reply_to="m4@history.example", body="Thanks, that helped.\n"),
        _mail(7, "Bob <bob@standard.example>", attachment=b"%PDF-1.4 " + b"x" * 30_000),
        _mail(8, "", subject="Nobody wrote this"),
        _mail(9, "Bob <bob@standard.example>", subject=f"[FL-{resolved.pk}] still broken"),
        _mail(10, "Bob <bob@standard.example>", subject="Re: old trouble",
              reply_to="old1@standard.example"),
        _mail(1, "Carol <carol@newco.example>", cc="Dave <dave@newco.example>"),  # again
        _mail(11, "Bouncy <bouncy@premium.example>"),
        _mail(12, "Alice <alice@premium.example>", reply_to="m13@history.example"),
        _mail(13, "Frank <frank@newco.example>"),
        _mail(14, "Carol <carol@newco.example>",
              to=f"support+FL-{closed.pk}-aaaaaaaaaa@frontline.localhost"),
        _mail(15, "Dave <dave@newco.example>", reply_to="m2@history.example"),
        _mail(16, "Carol <carol@newco.example>", subject="Another thing"),
        _mail(17, "Carol <carol@newco.example>", reply_to="m16@history.example",
              attachment=b"small file"),
        _mail(18, "Zed <zed@nowhere.example>", reply_to="m3@history.example",
              cc="nameless@standard.example, not-an-address"),
        _mail(40, "Frank <frank@newco.example>", attachment=b"small file"),  # stored once
    ]
    mails += [(CORPUS / name).read_bytes() for name in CORPUS_FILES]
    mails += [_mail(19 + n, f"Customer {n} <c{n}@many.example>") for n in range(12)]
    return mails


@pytest.fixture
def world(otto, bob, alice, standard_plan, settings) -> dict[str, Any]:
    """Contacts, tickets and an SLA policy already there before the import."""
    settings.FRONTLINE_MAX_ATTACHMENT_MB = 0.02  # the 30 kB attachment is left out
    SlaPolicy.objects.create(plan=standard_plan, first_response_minutes=60,
                             next_response_minutes=240, resolution_minutes=2880)
    Contact.objects.create(name="").emails.create(address="nameless@standard.example",
                                                  is_primary=True)
    bouncy = Contact.objects.create(name="Bouncy", organization=alice.organization)
    bouncy.emails.create(address="bouncy@premium.example", is_primary=True,
                         bouncing_since=START - timedelta(days=3), bounce_reason="550")
    closed = workflow.open_ticket(requester_email="bob@standard.example", subject="old trouble",
                                  body="It broke.", channel="email", at=START - timedelta(days=60),
                                  email_message_id="old1@standard.example")
    workflow.change_status(closed, otto, "resolved", at=START - timedelta(days=59))
    closed = workflow.change_status(closed, otto, "closed", at=START - timedelta(days=58))
    resolved = workflow.open_ticket(requester_email="bob@standard.example", subject="Printer",
                                    body="The printer.", channel="email",
                                    at=START - timedelta(days=2))
    resolved = workflow.change_status(resolved, otto, "resolved", at=START - timedelta(days=1))
    return {"closed": closed, "resolved": resolved}


def _write(tmp_path: Path, mails: list[bytes]) -> Path:
    box = tmp_path / "history.mbox"
    with box.open("wb") as out:
        for raw in mails:
            out.write(b"From importer Mon Mar  3 08:00:00 2025\n"
                      + raw.replace(b"\nFrom ", b"\n>From ").rstrip(b"\n") + b"\n\n")
    return box


def _one_at_a_time(inbound_id: int) -> InboundMail:
    return process_inbound(inbound_id)


# -- the snapshot ------------------------------------------------------------------

_OURS = re.compile(r"fl\.\d+\.[0-9a-f]+\.[a-z2-7]+@[\w.-]+", re.I)
# Set to "now" when written, not by the mail: they differ between two runs.
_CLOCK_FIELDS = {"processed_at", "created_at", "next_attempt_at"}
_CLOCK_MODELS = {"Contact", "Blob", "TicketLink", "OutboundMail"}


class _Snapshot:
    """Every row the import can write, with ids replaced by what identifies a row
    to a person (addresses, subjects, dates), so two runs compare equal."""

    def __init__(self) -> None:
        self.tickets = {t.pk: f"{t.subject}|{t.requester.primary_email}|{t.created_at:%j%H%M}"
                        for t in Ticket.objects.select_related("requester")}
        self.messages = {m.pk: f"{self.tickets[m.ticket_id]}|{m.kind}|{m.created_at:%j%H%M}|"
                               f"{hashlib.sha1(m.body.encode()).hexdigest()[:8]}"
                         for m in Message.objects.all()}
        self.contacts = {c.pk: c.primary_email or c.name for c in Contact.objects.all()}

    def text(self, value: str) -> str:
        value = _OURS.sub("<our message id>", value)
        for pk, key in self.tickets.items():
            value = re.sub(rf"\bFL-{pk}\b", f"<{key}>", value)
        return value

    def value(self, field: models.Field[Any, Any], raw: Any) -> Any:
        if raw is None:
            return None
        target = field.related_model if field.is_relation else None
        if target is Ticket:
            return self.tickets[raw]
        if target is Message:
            return self.messages[raw]
        if target is Contact:
            return self.contacts[raw]
        if isinstance(raw, str):
            return self.text(raw)
        if isinstance(raw, dict):  # event details name messages by id
            raw = {key: self.messages.get(item, item) if key == "message" else item
                   for key, item in raw.items()}
        if isinstance(raw, dict | list):
            return self.text(repr(raw))
        return raw

    def rows(self, model: type[models.Model], order: tuple[str, ...] | None = None) -> list[Any]:
        # A key that is a relation (the clock's ticket) says which row it is.
        fields = [f for f in model._meta.concrete_fields
                  if not (f.primary_key and not f.is_relation)
                  and not (model.__name__ in _CLOCK_MODELS and f.name in _CLOCK_FIELDS)
                  and not (model is InboundMail and f.name in _CLOCK_FIELDS)]
        rows = [tuple((f.name, self.value(f, getattr(row, f.attname))) for f in fields)
                for row in model.objects.order_by(*(order or ("pk",)))]
        return rows if order else sorted(rows, key=repr)

    def search(self) -> list[Any]:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT rowid, reference, subject, emails FROM search_ticket_fts")
                tickets = [(self.tickets[row[0]], *map(self.text, row[1:]))
                           for row in cursor.fetchall()]
                cursor.execute("SELECT id FROM search_message_fts_docsize")
                messages = [self.messages[row[0]] for row in cursor.fetchall()]
            else:
                cursor.execute("SELECT ticket_id, document::text FROM search_ticketdocument")
                tickets = [(self.tickets[pk], re.sub(rf"'{pk}'", "'<n>'", document))
                           for pk, document in cursor.fetchall()]
                cursor.execute("SELECT message_id, document::text FROM search_messagedocument")
                messages = [(self.messages[pk], document) for pk, document in cursor.fetchall()]
        return sorted(tickets, key=repr) + sorted(messages, key=repr)

    def take(self) -> dict[str, Any]:
        return {
            "tickets": self.rows(Ticket),
            "clocks": self.rows(TicketClock),
            # The timeline, in the order a person reads it.
            "messages": self.rows(Message, ("ticket__created_at", "ticket__subject",
                                            "created_at", "id")),
            "events": self.rows(Event, ("ticket__created_at", "ticket__subject", "at", "id")),
            "participants": self.rows(Participant),
            "contacts": self.rows(Contact),
            "emails": self.rows(ContactEmail),
            "organizations": self.rows(Organization),
            "attachments": [(self.messages[a.message_id], a.blob_id, a.filename, a.content_type,
                             a.inline, a.content_id) for a in Attachment.objects.order_by("pk")],
            "blobs": sorted(Blob.objects.values_list("sha256", "size")),
            "links": sorted((self.tickets[link.from_ticket_id], self.tickets[link.to_ticket_id])
                            for link in TicketLink.objects.all()),
            "inbound": self.rows(InboundMail),
            "outbound": self.rows(OutboundMail),
            "sla": self.rows(SlaMeasurement),
            "search": self.search(),
        }


def _number_tickets_alike() -> None:
    """Start the ticket numbers of an import where the import it is compared with
    started them. The history's mails quote references (an out-of-office reply to
    "[FL-10431] ..."): whether FL-10431 is one of the tickets this import opens
    must not depend on how many tickets earlier tests opened. PostgreSQL's sequence
    is not rolled back with the tests' transactions; SQLite's counter is."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
                           "GREATEST((SELECT COALESCE(MAX(id), 0) FROM tickets_ticket), 10430), "
                           "true)")


def _import_and_take(paths: list[Path], **options: Any) -> tuple[Any, dict[str, Any]]:
    """Import, take the snapshot, and roll the import back (the world stays)."""
    with transaction.atomic():
        _number_tickets_alike()
        summary = import_mail(paths, **options)
        taken = _Snapshot().take()
        transaction.set_rollback(True)
    return summary, taken


def _assert_same(batched: dict[str, Any], one_by_one: dict[str, Any]) -> None:
    for table in one_by_one:
        assert batched[table] == one_by_one[table], f"{table} differ"


def _counts(summary: Any) -> tuple[int, ...]:
    return (summary.stored, summary.already_there, summary.failed, summary.tickets_opened)


# -- the stories ---------------------------------------------------------------------


@pytest.mark.parametrize("batch_mails", [3, 7, 200])
def test_a_history_imported_in_batches_is_exactly_the_history_imported_one_by_one(
        tmp_path, world, batch_mails):
    box = _write(tmp_path, _history(world))
    expected_summary, expected = _import_and_take([box], process=_one_at_a_time)
    summary, batched = _import_and_take([box], batch_mails=batch_mails)
    assert _counts(summary) == _counts(expected_summary)
    assert sorted(summary.failures) == sorted(expected_summary.failures)
    _assert_same(batched, expected)
    # The history is what it should be, not merely the same twice.
    # Each mail counts once: mail 1 came twice; two were stored but failed.
    assert (expected_summary.stored, expected_summary.already_there,
            expected_summary.failed) == (len(_history(world)) - 3, 1, 2)
    assert any(dict(row)["state"] == InboundState.FAILED for row in expected["inbound"])
    kinds = [dict(row)["kind"] for row in expected["events"]]
    for kind in ("created", "participant_added", "reopened", "linked", "automatic_mail",
                 "attachments_skipped"):
        assert kind in kinds, kind
    assert any(dict(row)["sla_policy"] is not None for row in expected["clocks"])


def test_imported_replies_land_on_their_tickets_with_their_people(tmp_path, world):
    summary = import_mail([_write(tmp_path, _history(world))], batch_mails=5)
    assert summary.failed == 2  # the mail without a sender, and the unreadable one
    first = Ticket.objects.get(subject="Question 1")
    # Carol, Carol again, Otto from his own mail client, the auto-reply, Carol, Dave.
    assert first.messages.count() == 6
    assert first.last_customer_message_at == START + timedelta(hours=15)
    # Copied in: Dave, Erin, Bob; and the old desk's own address, which the history
    # names in To and which is not ours.
    assert sorted(first.participants.values_list("contact__emails__address", flat=True)) \
        == ["bob@standard.example", "dave@newco.example", "erin@newco.example",
            "help@oldesk.example"]
    nina = Ticket.objects.get(subject="Question 3")
    assert nina.requester.name == "Nina Nameless"  # the nameless contact got her name
    assert nina.messages.count() == 2  # Zed's reply joined by its In-Reply-To
    assert nina.clock.sla_policy is not None and nina.clock.first_response_due is not None
    # Tickets written in bulk have their clock rows too (TicketManager.bulk_create).
    assert not Ticket.objects.filter(clock__isnull=True).exists()
    assert Ticket.objects.get(subject="Another thing").messages.count() == 2
    assert Ticket.objects.get(pk=world["resolved"].pk).status == Status.OPEN


def test_one_failing_mail_costs_its_batch_the_fast_path_but_not_the_others_processing(
        tmp_path, world, monkeypatch):
    """A hook that fails for one ticket fails its batch, which is then processed one
    mail at a time: that mail is kept as failed, its neighbours land as usual."""
    from frontline.routing import arrival

    real = arrival.route_new_ticket

    def route(ticket: Ticket, text: str, at: datetime) -> None:
        if ticket.subject == "Question 21":
            raise RuntimeError("a routing rule broke")
        real(ticket, text, at)

    monkeypatch.setattr(arrival, "route_new_ticket", route)
    box = _write(tmp_path, _history(world))
    expected_summary, expected = _import_and_take([box], process=_one_at_a_time)
    summary, batched = _import_and_take([box], batch_mails=4)
    assert _counts(summary) == _counts(expected_summary)
    _assert_same(batched, expected)
    failed = [dict(row) for row in batched["inbound"] if dict(row)["state"] == "failed"]
    assert any("a routing rule broke" in row["error"] for row in failed)


def test_an_import_stopped_after_storing_a_batch_is_finished_by_reprocess_or_a_second_run(
        tmp_path, world, monkeypatch):
    """Store first: a crash between storing a batch and processing it loses nothing."""
    from frontline.mail import batch

    box = _write(tmp_path, _history(world))
    _, expected = _import_and_take([box], batch_mails=6)
    real = batch._Batch.run
    calls: list[int] = []

    def crash_on_the_third_batch(self: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the process dies: nothing catches this
        return real(self)

    for finish in (_reprocess_then_import_again, _import_again):
        with transaction.atomic():
            monkeypatch.setattr(batch._Batch, "run", crash_on_the_third_batch)
            calls.clear()
            _number_tickets_alike()
            with pytest.raises(KeyboardInterrupt):
                import_mail([box], batch_mails=6)
            # Three batches of six stored (mail 1 came twice), the third not processed.
            assert InboundMail.objects.count() == 17
            assert InboundMail.objects.filter(state=InboundState.STORED).count() == 6
            monkeypatch.setattr(batch._Batch, "run", real)
            finish(box)
            assert not InboundMail.objects.filter(state=InboundState.STORED).exists()
            _assert_same(_Snapshot().take(), expected)
            transaction.set_rollback(True)


def _reprocess_then_import_again(box: Path) -> None:
    assert reprocess_pending(include_failed=False) == 6
    summary = import_mail([box], batch_mails=6)
    assert summary.already_there == 18 and summary.stored == _mails_in(box) - 18


def _import_again(box: Path) -> None:
    summary = import_mail([box], batch_mails=6)
    assert summary.already_there == 18 and summary.stored == _mails_in(box) - 18


def _mails_in(box: Path) -> int:
    from frontline.mail.importer import iter_mbox

    return sum(1 for _ in iter_mbox(box))


def test_importing_twice_adds_nothing(tmp_path, world):
    box = _write(tmp_path, _history(world))
    import_mail([box], batch_mails=7)
    counts: Callable[[], tuple[int, ...]] = lambda: (  # noqa: E731
        Ticket.objects.count(), Message.objects.count(), Event.objects.count(),
        InboundMail.objects.count(), Contact.objects.count())
    before = counts()
    summary = import_mail([box], batch_mails=7)
    assert (summary.stored, summary.tickets_opened) == (0, 0)
    assert counts() == before


def test_a_batch_asks_the_database_a_few_questions_not_a_few_per_mail(tmp_path, bob):
    """Thirty new tickets and thirty replies to them, in two batches."""
    from django.test.utils import CaptureQueriesContext

    mails = [_mail(n, f"Customer {n} <c{n}@many.example>") for n in range(30)]
    mails += [_mail(100 + n, f"Customer {n} <c{n}@many.example>", reply_to=f"m{n}@history.example")
              for n in range(30)]
    box = _write(tmp_path, mails)
    with CaptureQueriesContext(connection) as queries:
        summary = import_mail([box], batch_mails=30)
    assert (summary.stored, summary.tickets_opened, summary.failed) == (60, 30, 0)
    assert len(queries.captured_queries) < 60, "\n".join(
        q["sql"][:120] for q in queries.captured_queries)
    assert Message.objects.count() == 60


@pytest.mark.parametrize("batch_mails", [5, 1])
def test_the_old_desks_address_named_on_the_import_joins_no_ticket(tmp_path, world,
                                                                  batch_mails):
    """Moving from another help desk: its address stood in To of every mail."""
    import_mail([_write(tmp_path, _history(world))], batch_mails=batch_mails,
                our_addresses=["Help@OlDesk.example "])
    first = Ticket.objects.get(subject="Question 1")
    assert sorted(first.participants.values_list("contact__emails__address", flat=True)) \
        == ["bob@standard.example", "dave@newco.example", "erin@newco.example"]
