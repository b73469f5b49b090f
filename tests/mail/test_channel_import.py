"""Moving from another help desk: `frontline mail import` takes .eml files, mbox
files and Maildir folders; history keeps its dates, nothing is answered, and a
second run adds nothing."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from pathlib import Path

import pytest

from frontline.cli import main
from frontline.mail.importer import import_mail, iter_mbox
from frontline.mail.models import InboundMail, OutboundMail
from frontline.tickets.models import Message, Participant, Ticket

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "corpus"


def mail(number: int, *, subject: str = "", reply_to: int | None = None,
         day: int = 3, body: str = "") -> bytes:
    headers = [
        f"From: Customer {number} <customer{number}@standard.example>",
        "To: help@oldesk.example",
        f"Subject: {subject or f'Question {number}'}",
        f"Message-ID: <q{number}@standard.example>",
        f"Date: Mon, {day:02d} Mar 2025 09:{number % 60:02d}:00 +0100",
    ]
    if reply_to is not None:
        headers.append(f"In-Reply-To: <q{reply_to}@standard.example>")
        headers.append(f"References: <q{reply_to}@standard.example>")
    text = body or f"Hello, this is question {number}.\nFrom the old days.\n"
    return ("\n".join(headers) + "\n\n" + text).encode()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_eml_files_become_tickets_with_their_original_dates_and_no_acknowledgement(tmp_path):
    (tmp_path / "one.eml").write_bytes(mail(1))
    (tmp_path / "two.eml").write_bytes(mail(2, day=4))
    summary = import_mail([tmp_path / "one.eml", tmp_path / "two.eml"])
    assert (summary.stored, summary.already_there, summary.failed, summary.tickets_opened) \
        == (2, 0, 0, 2)
    ticket = Ticket.objects.get(subject="Question 1")
    assert ticket.created_at == datetime(2025, 3, 3, 8, 1, tzinfo=UTC)
    assert InboundMail.objects.get(header_message_id="q2@standard.example").received_at \
        == datetime(2025, 3, 4, 8, 2, tzinfo=UTC)
    assert set(InboundMail.objects.values_list("source", "state")) == {("import", "processed")}
    assert OutboundMail.objects.count() == 0


def test_a_reply_in_the_history_lands_on_its_ticket(tmp_path):
    box = tmp_path / "history.mbox"
    box.write_bytes(b"From customer1@standard.example Mon Mar  3 08:01:00 2025\n" + mail(1)
                    + b"\nFrom customer1@standard.example Tue Mar  4 10:00:00 2025\n"
                    + mail(3, subject="Re: Question 1", reply_to=1, day=4,
                           body="Any news?\n\n>From the archive: nothing.\n") + b"\n")
    summary = import_mail([box])
    assert (summary.stored, summary.tickets_opened) == (2, 1)
    ticket = Ticket.objects.get()
    bodies = list(Message.objects.filter(ticket=ticket).values_list("body", flat=True))
    assert len(bodies) == 2 and "Any news?" in bodies[1]
    # mboxrd: the ">From " escape comes off again.
    raw = bytes(InboundMail.objects.get(header_message_id="q3@standard.example").raw)
    assert b"\nFrom the archive: nothing." in raw


def test_running_the_import_twice_adds_nothing(tmp_path, capsys):
    for number in range(3):
        (tmp_path / f"{number}.eml").write_bytes(mail(number))
    code, out, _ = run(capsys, "mail", "import", str(tmp_path))
    assert code == 0
    assert "3 stored, 0 already there, 0 failed, 3 tickets opened" in out
    code, out, _ = run(capsys, "mail", "import", str(tmp_path))
    assert code == 0
    assert "0 stored, 3 already there, 0 failed, 0 tickets opened" in out
    assert (InboundMail.objects.count(), Ticket.objects.count(), Message.objects.count()) \
        == (3, 3, 3)


def test_a_maildir_is_read_from_new_and_cur_but_not_tmp(tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(mailbox.MaildirMessage(mail(1)))
    seen = mailbox.MaildirMessage(mail(2))
    seen.set_subdir("cur")
    seen.add_flag("S")
    box.add(seen)
    (tmp_path / "Maildir" / "tmp" / "half-written").write_bytes(mail(3)[:40])
    box.add_folder("Archive").add(mailbox.MaildirMessage(mail(4)))  # Maildir++: .Archive
    summary = import_mail([tmp_path / "Maildir"])
    assert (summary.stored, summary.failed) == (3, 0)
    assert set(InboundMail.objects.values_list("header_message_id", flat=True)) == {
        "q1@standard.example", "q2@standard.example", "q4@standard.example"}


def test_broken_mail_is_kept_and_counted_and_the_rest_goes_on(tmp_path, capsys):
    (tmp_path / "a-empty.eml").write_bytes(b"")
    (tmp_path / "b-garbage.eml").write_bytes((CORPUS / "garbage.eml").read_bytes())
    (tmp_path / "c-good.eml").write_bytes(mail(7))
    code, out, _ = run(capsys, "mail", "import", str(tmp_path))
    assert code == 1  # something failed: scripts can tell
    assert "failed: " in out and "a-empty.eml" in out and "The mail is empty." in out
    assert Ticket.objects.filter(subject="Question 7").exists()
    summary_line = next(line for line in out.splitlines() if line.startswith("Read "))
    assert "Read 3 mails in " in summary_line  # each mail once: 1 stored + 2 failed
    assert "1 stored, 0 already there, 2 failed, 1 tickets opened" in summary_line


def test_a_missing_path_is_one_line_and_nothing_is_imported(tmp_path, capsys):
    code, _, err = run(capsys, "mail", "import", str(tmp_path / "nope.mbox"))
    assert code == 2
    assert "nope.mbox: no such file or folder." in err and err.count("\n") == 1
    assert InboundMail.objects.count() == 0


def test_the_corpus_imports_without_a_crash(tmp_path):
    """Every tricky mail we know of: stored, and each one either processed or kept
    with its reason; none stops the import."""
    summary = import_mail([CORPUS])
    mails = len(list(CORPUS.glob("*.eml")))  # README.md and scripts are not mail
    assert summary.total == mails and summary.failed == summary.failed_kept
    assert InboundMail.objects.count() == mails
    assert InboundMail.objects.filter(state="stored").count() == 0
    assert summary.tickets_opened > summary.stored // 2
    for failure in summary.failures:
        assert "could not be processed: " in failure


def test_an_mbox_is_read_one_mail_at_a_time(tmp_path):
    box = tmp_path / "big.mbox"
    with box.open("wb") as handle:
        for number in range(50):
            handle.write(b"From x@y Mon Mar  3 08:01:00 2025\n" + mail(number) + b"\n")
    stream = iter_mbox(box)
    first_raw, first_date = next(stream)
    assert first_raw.startswith(b"From: Customer 0 ") and first_raw.endswith(b"old days.\n")
    assert first_date == datetime(2025, 3, 3, 8, 1, tzinfo=UTC)
    assert sum(1 for _ in stream) == 49


def test_the_old_desks_address_can_be_named_so_it_is_copied_on_nothing(tmp_path, capsys):
    (tmp_path / "1.eml").write_bytes(mail(1))
    (tmp_path / "2.eml").write_bytes(mail(2))
    code, out, _ = run(capsys, "mail", "import", "--our-address", "help@oldesk.example",
                       str(tmp_path / "1.eml"))
    assert code == 0 and "1 tickets opened" in out
    assert not Participant.objects.exists()
    run(capsys, "mail", "import", str(tmp_path / "2.eml"))
    assert Participant.objects.get().contact.primary_email == "help@oldesk.example"
