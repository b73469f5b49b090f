"""An import of history reads its messages' facts later, in the worker: the import
keeps its rate, and the facts are the same as when read at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontline import workflow
from frontline.intake import reading
from frontline.intake.models import PendingReading, TicketFact
from frontline.mail.importer import import_mail
from frontline.tickets.models import Ticket
from frontline.workflow import tasks

MAILS = [
    ("carla@initech.example", "Export fails", "m1@initech.example", "",
     "Hi,\nLedger 5.1 on Oracle 19c: the export fails with ORA-01722.\nCarla"),
    ("jonas@initech.example", "Druck geht nicht", "m2@initech.example", "",
     "Hallo,\nseit dem Update auf Ledger 5.1.2 stürzt der Druck ab. Wir nutzen Windows 11.\n"),
    ("carla@initech.example", "Re: Export fails", "m3@initech.example", "m1@initech.example",
     "Forgot to say: everyone in accounting is affected.\n\n"
     "> Ledger 5.1 on MySQL 8: the export fails"),
]


def mbox(tmp_path: Path, batch: list[tuple[str, str, str, str, str]]) -> Path:
    box = tmp_path / "history.mbox"
    with box.open("wb") as out:
        for day, (sender, subject, message_id, reply_to, body) in enumerate(batch, start=2):
            headers = (f"From: {sender}\nTo: help@frontline.localhost\nSubject: {subject}\n"
                       f"Message-ID: <{message_id}>\nDate: Mon, {day} Mar 2025 09:00:00 +0000\n")
            if reply_to:
                headers += f"In-Reply-To: <{reply_to}>\n"
            raw = headers + "Content-Type: text/plain; charset=utf-8\n\n" + body
            out.write(b"From importer Mon Mar  3 08:00:00 2025\n" + raw.encode() + b"\n\n")
    return box


def facts_by_subject() -> dict[str, dict[str, str]]:
    return {ticket.subject: dict(TicketFact.objects.filter(ticket=ticket)
                                 .values_list("key", "value"))
            for ticket in Ticket.objects.all()}




@pytest.mark.parametrize("batch_mails", [1, 200])
def test_imported_mail_is_read_by_the_worker_not_during_the_import(tmp_path, ledger,
                                                                    batch_mails):
    summary = import_mail([mbox(tmp_path, MAILS)], batch_mails=batch_mails)
    assert summary.tickets_opened == 2
    assert PendingReading.objects.count() == 3
    assert not TicketFact.objects.exists()

    assert tasks.read_pending.call() == {"read": 3}
    assert not PendingReading.objects.exists()
    found = facts_by_subject()
    export = found["Export fails"]
    assert export["product"] == "Ledger" and export["version"] == "5.1"
    assert "ORA-01722" in export["error"]
    # The reply's own words count, not what it quotes.
    assert "Oracle" in export["database"]
    assert "accounting" in export["impact"].lower() or "everyone" in export["impact"].lower()
    druck = found["Druck geht nicht"]
    assert druck["version"] == "5.1.2" and "Windows" in druck["os"]
    assert tasks.read_pending.call() == {"read": 0}


def test_the_same_messages_read_at_once_give_the_same_facts(tmp_path, ledger, bob):
    import_mail([mbox(tmp_path, MAILS)], batch_mails=200)
    reading.read_pending()
    imported = facts_by_subject()
    Ticket.objects.all().delete()
    first = workflow.open_ticket(requester_email="carla@initech.example", subject="Export fails",
                                 body=MAILS[0][4], channel="email")
    workflow.open_ticket(requester_email="jonas@initech.example", subject="Druck geht nicht",
                         body=MAILS[1][4], channel="email")
    workflow.add_customer_message(first, first.requester, MAILS[2][4], channel="email",
                                  body_reply=MAILS[2][4].split("\n\n>")[0])
    assert facts_by_subject() == imported
