"""Importing mail history: `frontline mail import PATH...` (moving from another help desk).

Takes .eml files, mbox files and Maildir folders (and folders of those). Each mail
is stored like any other (`store.accept_raw_many`, the batch form of
`accept_raw`), then processed at once, in this process, so that the import
finishes with every mail on its ticket and the tickets carry the mails' own dates.
Running it twice adds nothing: storing is idempotent by Message-ID plus content
hash. Imported mail is never acknowledged: processing decides that from
`source == "import"`.

Everything streams: an mbox is read a line at a time, and one batch of mail (at
most BATCH_MAILS mails or BATCH_BYTES) is in memory at once, so a 10 GB archive
needs no more memory than a 10 MB one. Each batch is stored in one transaction
(committed first, as store-first asks), then processed in another by
frontline.mail.batch, which writes the common cases in bulk; a batch that fails
is processed again one mail at a time.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import parsedate_to_datetime
from functools import partial
from pathlib import Path

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils import timezone

from frontline.core.errors import FrontlineError, InvalidInput
from frontline.mail.models import InboundMail, InboundSource, InboundState
from frontline.mail.store import accept_raw, read_headers

logger = logging.getLogger(__name__)

# mboxrd (and mboxo) escape body lines that start with "From " as ">From ";
# one ">" comes off on reading. See https://www.loc.gov/preservation/digital/formats/fdd/fdd000385.shtml
_ESCAPED_FROM = re.compile(rb"^>(>*From )")
_MAILDIR_SUBDIRS = ("cur", "new", "tmp")


@dataclass(frozen=True)
class Source:
    """Where one mail came from (for the summary's failures)."""

    path: str
    index: int | None = None  # the mail's position in an mbox

    def __str__(self) -> str:
        return self.path if self.index is None else f"{self.path} (mail {self.index + 1})"


@dataclass
class ImportSummary:
    stored: int = 0
    already_there: int = 0
    failed: int = 0
    tickets_opened: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.stored + self.already_there + self.failed

    def fail(self, source: Source, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < 100:  # the summary names the first ones; the log has all
            self.failures.append(f"{source}: {reason}")
        logger.warning("Import: %s: %s", source, reason)


# -- finding the mails ------------------------------------------------------------


def is_maildir(path: Path) -> bool:
    return path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new"))


def is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def _maildir_files(path: Path) -> Iterator[Path]:
    # tmp/ holds deliveries still being written (the Maildir spec): never read it.
    for sub in ("new", "cur"):
        entries = sorted(os.scandir(path / sub), key=lambda entry: entry.name)
        for entry in entries:
            if entry.is_file() and not entry.name.startswith("."):
                yield Path(entry.path)


def _walk(path: Path) -> Iterator[Path]:
    """Mail files and Maildirs under `path`, in a stable order."""
    if path.is_file():
        yield path
        return
    if is_maildir(path):
        yield path
        # Maildir++ keeps its other folders inside the top one: .Sent, .Archive, ...
        for child in sorted(path.iterdir()):
            if child.name.startswith(".") and is_maildir(child):
                yield child
        return
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.name.startswith(".") and not is_maildir(child):
                continue
            if child.is_dir() and child.name in _MAILDIR_SUBDIRS:
                continue
            # In a folder, mail is what looks like mail: notes and scripts beside it are not.
            if child.is_file() and not (child.suffix.lower() == ".eml" or is_mbox(child)):
                continue
            yield from _walk(child)
        return
    raise InvalidInput(f"{path}: no such file or folder.", field="path")


def iter_mbox(path: Path) -> Iterator[tuple[bytes, datetime | None]]:
    """(raw mail, date from its From_ line) for each mail in an mbox, one at a time."""
    with path.open("rb") as handle:
        lines: list[bytes] = []
        envelope_date: datetime | None = None
        previous_blank = True
        for line in handle:
            if line.startswith(b"From ") and previous_blank:
                if lines:
                    yield _mbox_mail(lines), envelope_date
                lines = []
                envelope_date = _from_line_date(line)
                previous_blank = False
                continue
            if line.startswith(b">") and _ESCAPED_FROM.match(line):
                line = line[1:]
            lines.append(line)
            previous_blank = line in (b"\n", b"\r\n")
        if lines:
            yield _mbox_mail(lines), envelope_date


def _mbox_mail(lines: list[bytes]) -> bytes:
    # The blank line before the next From_ line belongs to the mbox, not the mail.
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]
    return b"".join(lines)


def _from_line_date(line: bytes) -> datetime | None:
    """`From sender@example.com Tue Mar  5 10:00:00 2024`: the asctime at the end."""
    parts = line.decode("ascii", "replace").split()
    if len(parts) < 7:
        return None
    try:
        naive = datetime.strptime(" ".join(parts[-5:]), "%a %b %d %H:%M:%S %Y")
    except ValueError:
        return None
    return naive.replace(tzinfo=UTC)


def count_mails(paths: Iterable[Path]) -> int:
    """How many mails the import will read (a fast scan, for the progress bar)."""
    total = 0
    for path in paths:
        if path.is_dir():
            total += sum(1 for _ in _maildir_files(path))
        elif is_mbox(path):
            with path.open("rb") as handle:
                previous_blank = True
                for line in handle:
                    if previous_blank and line.startswith(b"From "):
                        total += 1
                    previous_blank = line in (b"\n", b"\r\n")
        else:
            total += 1
    return total


def iter_mails(paths: Iterable[Path]) -> Iterator[tuple[Source, bytes | None, datetime | None,
                                                        str]]:
    """(source, raw or None, envelope date, error) for every mail under `paths`."""
    for path in paths:
        if path.is_dir():
            for file in _maildir_files(path):
                yield _read_file(file)
        elif is_mbox(path):
            for index, (raw, date) in enumerate(iter_mbox(path)):
                yield Source(str(path), index), raw, date, ""
        else:
            yield _read_file(path)


def _read_file(path: Path) -> tuple[Source, bytes | None, datetime | None, str]:
    try:
        return Source(str(path)), path.read_bytes(), None, ""
    except OSError as error:
        return Source(str(path)), None, None, error.strerror or str(error)


# -- importing ----------------------------------------------------------------


def mail_date(raw: bytes, fallback: datetime | None,
              headers: Message | None = None) -> datetime | None:
    """When the mail was written (its Date header), else the mbox envelope date.
    `headers`: store.read_headers(raw), when the caller has it already."""
    if headers is None:
        headers = read_headers(raw)
    value = headers.get("Date")
    if value:
        try:
            date = parsedate_to_datetime(str(value))
        except (TypeError, ValueError, IndexError, OverflowError):
            date = None
        if date is not None:
            if timezone.is_naive(date):
                date = date.replace(tzinfo=UTC)
            # A Date far in the future is a broken clock, not a fact of history.
            if date <= timezone.now() + timedelta(days=1):
                return date
    return fallback


def _process(inbound_id: int) -> InboundMail:
    from frontline.mail.services import process_inbound

    return process_inbound(inbound_id)


# A batch: stored in one transaction, processed in another (frontline.mail.batch).
# Bigger batches gain little once statements are shared; they hold SQLite's write
# lock longer (live mail waits that long to be stored) and hold more mail in memory.
BATCH_MAILS = 200
BATCH_BYTES = 16 * 1024 * 1024


@dataclass
class _Pending:
    source: Source
    raw: bytes
    envelope_date: datetime | None


def import_mail(
    paths: Iterable[str | Path],
    *,
    progress: Callable[[int, int], None] | None = None,
    process: Callable[[int], object] = _process,
    batch_mails: int = BATCH_MAILS,
    our_addresses: Iterable[str] = (),
) -> ImportSummary:
    """Store and process every mail under `paths`; see the module docstring.

    Mail is stored and processed in batches of up to `batch_mails` (storing
    commits first); a `process` of the caller's own runs one mail at a time.
    `our_addresses`: the old help desk's addresses (help@old-desk.example): mail
    to them was mail to us, so they become nobody's participant.
    """
    ours = tuple(sorted({address.strip().lower() for address in our_addresses
                         if address.strip()}))
    resolved = [Path(path) for path in paths]
    for path in resolved:
        if not path.exists():
            raise InvalidInput(f"{path}: no such file or folder.", field="path")
    found = [item for path in resolved for item in _walk(path)]
    _bound_sqlite_memory()
    total = count_mails(found) if progress is not None else 0
    summary = ImportSummary()
    from frontline.mail.services import staff_addresses_cached

    def report(done: int) -> None:
        if progress is not None:
            progress(done, max(total, done))

    with staff_addresses_cached():
        if process is not _process:
            for done, (source, raw, envelope_date, error) in enumerate(iter_mails(found),
                                                                       start=1):
                if raw is None:
                    summary.fail(source, error)
                else:
                    _import_one(raw, source, envelope_date, summary, process, ours)
                report(done)
            return summary
        for batch, done in _batches(found, summary, batch_mails):
            _import_batch(batch, summary, ours)
            report(done)
    report(summary.total)
    return summary


def _batches(found: list[Path], summary: ImportSummary,
             batch_mails: int) -> Iterator[tuple[list[_Pending], int]]:
    """The readable mail in batches, with how many mails were read by then; a
    file that cannot be read is a failure in the summary."""
    batch: list[_Pending] = []
    size = done = 0
    for done, (source, raw, envelope_date, error) in enumerate(iter_mails(found), start=1):
        if raw is None:
            summary.fail(source, error)
            continue
        batch.append(_Pending(source, raw, envelope_date))
        size += len(raw)
        if len(batch) >= max(1, batch_mails) or size >= BATCH_BYTES:
            yield batch, done
            batch, size = [], 0
    if batch:
        yield batch, done


def _bound_sqlite_memory() -> None:
    """A long import reads the whole database as it grows; through SQLite's memory
    map every page it touches stays mapped into this process (up to mmap_size,
    256 MB), so its memory would grow with the size of the history. The page
    cache alone (64 MB) is bounded; for this connection, reads go through it."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size=0")


def _import_batch(batch: list[_Pending], summary: ImportSummary,
                  ours: tuple[str, ...] = ()) -> None:
    """Store a batch (committed), then process what needs processing in bulk."""
    from frontline.mail.batch import process_batch
    from frontline.mail.store import RawMail, accept_raw_many

    accepted = accept_raw_many(
        [RawMail(item.raw, str(item.source)[:300], dated=partial(
            mail_date, item.raw, item.envelope_date), envelope_recipients=ours)
         for item in batch],
        source=InboundSource.IMPORT)
    todo: list[tuple[Source, InboundMail]] = []
    taken: set[int] = set()
    for item, result in zip(batch, accepted, strict=True):
        if isinstance(result, FrontlineError):
            summary.fail(item.source, result.message)
            continue
        inbound = result.inbound
        if result.created:
            summary.stored += 1
        else:
            summary.already_there += 1
            if inbound.state != InboundState.STORED:
                continue
            # Stored by an import that was interrupted before processing it: finish the job.
        if inbound.pk not in taken:  # the same mail twice in one batch is processed once
            taken.add(inbound.pk)
            todo.append((item.source, inbound))
    try:
        processed = process_batch([inbound for _, inbound in todo])
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        # Rolled back as a whole: one mail at a time, so one broken mail stops only itself.
        logger.warning("Import: a batch of %d mails failed; processing them one by one",
                       len(todo), exc_info=True)
        for source, inbound in todo:
            _process_one(inbound, source, summary, _process)
        return
    for (source, _), row in zip(todo, processed, strict=True):
        _count(row, source, summary)


def _import_one(raw: bytes, source: Source, envelope_date: datetime | None,
                summary: ImportSummary, process: Callable[[int], object],
                ours: tuple[str, ...] = ()) -> None:
    try:
        accepted = accept_raw(raw, source=InboundSource.IMPORT, source_detail=str(source)[:300],
                              received_at=mail_date(raw, envelope_date), process=False,
                              envelope_recipients=list(ours))
    except FrontlineError as error:
        summary.fail(source, error.message)
        return
    inbound = accepted.inbound
    if not accepted.created:
        summary.already_there += 1
        if inbound.state != InboundState.STORED:
            return
        # Stored by an import that was interrupted before processing it: finish the job.
    else:
        summary.stored += 1
    _process_one(inbound, source, summary, process)


def _process_one(inbound: InboundMail, source: Source, summary: ImportSummary,
                 process: Callable[[int], object]) -> None:
    try:
        if process is _process:
            from frontline.mail.services import process_inbound

            # The row and its bytes are in hand: processing need not read them again.
            processed: object = process_inbound(inbound.pk, stored=inbound)
        else:
            processed = process(inbound.pk)
    except DatabaseError:
        raise
    except Exception as error:  # processing records its own failures; this is a safety net
        logger.exception("Import: processing %s failed", source)
        summary.fail(source, f"stored, but processing failed: {error}")
        return
    if not isinstance(processed, InboundMail):
        processed = InboundMail.objects.get(pk=inbound.pk)
    _count(processed, source, summary)


def _count(processed: InboundMail, source: Source, summary: ImportSummary) -> None:
    if processed.state == InboundState.FAILED:
        summary.fail(source, f"stored, but could not be processed: {processed.error}"[:500])
    elif _opened_ticket(processed):
        summary.tickets_opened += 1


def _opened_ticket(inbound: InboundMail) -> bool:
    """Did this mail open its ticket (rather than join one)? It did when its message
    is the ticket's first one."""
    from frontline.tickets.models import Message

    if inbound.ticket_id is None or inbound.message_id is None:
        return False
    if inbound.opened_ticket is not None:  # processing just said so
        return inbound.opened_ticket
    first = (Message.objects.filter(ticket_id=inbound.ticket_id).order_by("created_at", "id")
             .values_list("id", flat=True).first())
    return first == inbound.message_id
