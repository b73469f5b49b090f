"""Importing mail history: `frontline mail import PATH...` (moving from another help desk).

Takes .eml files, mbox files and Maildir folders (and folders of those). Each mail
is stored like any other (`store.accept_raw_many`, the batch form of
`accept_raw`), then processed at once, in this process, so that the import
finishes with every mail on its ticket and the tickets carry the mails' own dates.
Running it twice adds nothing: storing is idempotent by Message-ID plus content
hash. Imported mail is never acknowledged: processing decides that from
`source == "import"`.

In date order: archives, several mailboxes and file names say nothing about when
a mail was written, and a reply read before its original would open a ticket of
its own. So every mail's header block is read first (its Date; else an mbox's
From_ line date), and the mails are then stored and processed oldest first; mail
without a usable date comes after all dated mail, in the order it was found. A
reply that still comes first (a sender's clock behind, the same second) is
joined when its original comes (frontline.mail.threading, "Late originals").

Memory stays bounded whatever the size of the history: the first pass keeps one
small sort key and location per mail (`_Order`), never a mail; an mbox is read
a line at a time, and one batch of mail (at most BATCH_MAILS mails or
BATCH_BYTES) is in memory at once. Each batch is stored in one transaction
(committed first, as store-first asks), then processed in another by
frontline.mail.batch, which writes the common cases in bulk; a batch that fails
is processed again one mail at a time.

The summary counts each mail read once, as what became of it: stored (new, and
processed), already there (stored before), or failed (could not be read or
stored, or stored but could not be processed: kept, and `frontline mail
reprocess` takes it up again).
"""

from __future__ import annotations

import logging
import os
import re
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import BinaryIO

from django.db import DatabaseError, InterfaceError, OperationalError, connection

from frontline.core.errors import FrontlineError, InvalidInput
from frontline.mail.headers import parse_date, plausible_date
from frontline.mail.models import InboundMail, InboundSource, InboundState
from frontline.mail.store import accept_raw, read_headers

logger = logging.getLogger(__name__)

# mboxrd (and mboxo) escape body lines that start with "From " as ">From ";
# one ">" comes off on reading. See https://www.loc.gov/preservation/digital/formats/fdd/fdd000385.shtml
_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_MAILDIR_SUBDIRS = ("cur", "new", "tmp")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
# Where the Date is looked for: a header block longer than this is not a mail's.
_HEAD_LIMIT = 256 * 1024
# The Date field with its folded lines, in a header block (RFC 5322 §2.2.3).
_DATE_FIELD = re.compile(rb"^date[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*",
                         re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Source:
    """Where one mail came from (for the summary's failures)."""

    path: str
    index: int | None = None  # the mail's position in an mbox

    def __str__(self) -> str:
        return self.path if self.index is None else f"{self.path} (mail {self.index + 1})"


@dataclass
class ImportSummary:
    """What became of each mail read, counted once: stored + already_there + failed
    is the number of mails read."""

    stored: int = 0  # new, stored and processed
    already_there: int = 0  # stored before (by an earlier import or a channel)
    failed: int = 0  # not stored, or stored but not processed
    failed_kept: int = 0  # of the failed: stored, for `frontline mail reprocess`
    tickets_opened: int = 0
    # Tickets merged into another because their mails answered a mail read later.
    tickets_joined: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """The mails read."""
        return self.stored + self.already_there + self.failed

    def fail(self, source: Source, reason: str, *, kept: bool = False) -> None:
        self.failed += 1
        self.failed_kept += kept
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
    with path.open("rb") as scan, path.open("rb") as read:
        for offset, length, envelope_date, _head in _mbox_entries(scan):
            yield _read_mbox_mail(read, offset, length), envelope_date


def _mbox_entries(handle: BinaryIO) -> Iterator[tuple[int, int, datetime | None, bytes]]:
    """(offset, length, From_ line date, header block) of each mail in an mbox, read
    a line at a time. A mail runs from the line after its From_ line to the next
    From_ line that follows a blank line; that blank line belongs to the mbox."""
    position = start = 0
    seen_lines = False  # anything since `start` (text before a first From_ line too)
    envelope_date: datetime | None = None
    head: list[bytes] = []
    head_size = 0
    in_head = True
    previous_blank = True
    last_blank = 0  # the length of the last line, when it was blank
    for line in handle:
        if line.startswith(b"From ") and previous_blank:
            if seen_lines:
                yield start, position - start - last_blank, envelope_date, b"".join(head)
            position += len(line)
            start, seen_lines, envelope_date = position, True, _from_line_date(line)
            head, head_size, in_head, previous_blank, last_blank = [], 0, True, False, 0
            continue
        seen_lines = True
        blank = line in (b"\n", b"\r\n")
        if in_head:
            if blank:
                in_head = False
            elif head_size < _HEAD_LIMIT:
                head.append(line)
                head_size += len(line)
        previous_blank, last_blank = blank, (len(line) if blank else 0)
        position += len(line)
    if seen_lines:
        yield start, position - start - last_blank, envelope_date, b"".join(head)


def _read_mbox_mail(handle: BinaryIO, offset: int, length: int) -> bytes:
    handle.seek(offset)
    return _ESCAPED_FROM.sub(rb"\1", handle.read(length))


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


def _file_head(path: Path) -> bytes:
    """The start of a mail file, up to the end of its header block."""
    head = b""
    with path.open("rb") as handle:
        while len(head) < _HEAD_LIMIT:
            chunk = handle.read(16 * 1024)
            if not chunk:
                break
            head += chunk
            if _BLANK_LINE.search(head):
                break
    return head


# -- the order ------------------------------------------------------------------------


def mail_date(raw: bytes, fallback: datetime | None,
              headers: Message | None = None) -> datetime | None:
    """When the mail was written (its Date header), else the mbox envelope date, each
    only if it can be true (headers.plausible_date, the guard processing applies too).
    `headers`: store.read_headers(raw), when the caller has it already."""
    if headers is None:
        headers = read_headers(raw)
    value = headers.get("Date")
    written = plausible_date(parse_date(str(value))) if value else None
    return written or plausible_date(fallback)


def _head_date(head: bytes, fallback: datetime | None) -> datetime | None:
    """mail_date for a header block, reading only its Date field: the first pass
    reads every mail's head, and parsing whole header blocks cost more than the
    rest of the pass."""
    end = _BLANK_LINE.search(head)
    found = _DATE_FIELD.search(head, 0, end.start() if end else len(head))
    return mail_date(found.group(0) if found else b"", fallback)


class _Order:
    """Every mail's place (its file, and where in an mbox) and its date, in as
    little memory as it takes: one int sort key per mail and a few machine words
    in arrays, about 60 bytes a mail (a million mails: some 60 MB), never a mail.

    The key sorts dated mail by date, then undated mail, each in the order found:
    (undated, microseconds since 1 January 1 plus a bias, position), packed in one
    Python int, because a tuple per mail would cost several times as much.
    """

    _POSITION_BITS = 40  # up to a trillion mails
    _DATE_BITS = 70  # microseconds from the year 1 to 9999 need 69

    def __init__(self) -> None:
        self.files: list[Path] = []
        self.file = array("q")
        self.offset = array("q")  # -1: the whole file is the mail
        self.length = array("q")
        self.number = array("q")  # the mail's position in its mbox, -1 for a file
        self.keys: list[int] = []

    def __len__(self) -> int:
        return len(self.keys)

    def add_file(self, path: Path) -> int:
        self.files.append(path)
        return len(self.files) - 1

    def add(self, file: int, date: datetime | None, *, offset: int = -1, length: int = -1,
            number: int = -1) -> None:
        position = len(self.keys)
        self.file.append(file)
        self.offset.append(offset)
        self.length.append(length)
        self.number.append(number)
        micros = 1 << self._DATE_BITS  # undated
        if date is not None:
            try:
                since = date.astimezone(UTC) - datetime(1, 1, 1, tzinfo=UTC)
            except (OverflowError, ValueError):
                pass  # a date at the edge of the calendar: no usable date
            else:
                micros = (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
        self.keys.append(micros << self._POSITION_BITS | position)

    def in_order(self) -> Iterator[tuple[int, datetime | None]]:
        """(position, date) of each mail, oldest first, then the undated."""
        self.keys.sort()
        mask = (1 << self._POSITION_BITS) - 1
        undated = 1 << self._DATE_BITS
        for key in self.keys:
            micros = key >> self._POSITION_BITS
            date = None if micros >= undated else (
                datetime(1, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros))
            yield key & mask, date


def _order(found: Iterable[Path], summary: ImportSummary) -> _Order:
    """The first pass: where every mail under `found` is and when it was written. A
    file that cannot be read is a failure in the summary (counted here, once)."""
    order = _Order()
    for path in found:
        files = _maildir_files(path) if path.is_dir() else [path]
        for file in files:
            try:
                if not path.is_dir() and is_mbox(file):
                    index = order.add_file(file)
                    with file.open("rb") as handle:
                        for number, (offset, length, envelope_date, head) in enumerate(
                                _mbox_entries(handle)):
                            order.add(index, _head_date(head, envelope_date), offset=offset,
                                      length=length, number=number)
                else:
                    head = _file_head(file)
                    order.add(order.add_file(file), _head_date(head, None))
            except OSError as error:
                summary.fail(Source(str(file)), error.strerror or str(error))
    return order


def _ordered_mails(order: _Order) -> Iterator[tuple[Source, bytes | None, datetime | None,
                                                    str]]:
    """(source, raw or None, date, error) for every mail, in `order`'s order. The
    last few mbox files stay open, for archives split over several."""
    handles: OrderedDict[int, BinaryIO] = OrderedDict()
    try:
        for position, date in order.in_order():
            file = order.file[position]
            path = order.files[file]
            number = order.number[position]
            source = Source(str(path), number if number >= 0 else None)
            try:
                if number < 0:
                    raw = path.read_bytes()
                else:
                    if file not in handles:
                        if len(handles) >= 8:
                            handles.popitem(last=False)[1].close()
                        handles[file] = path.open("rb")
                    handles.move_to_end(file)
                    raw = _read_mbox_mail(handles[file], order.offset[position],
                                          order.length[position])
            except OSError as error:
                yield source, None, None, error.strerror or str(error)
                continue
            yield source, raw, date, ""
    finally:
        for handle in handles.values():
            handle.close()


# -- importing ----------------------------------------------------------------


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
    received_at: datetime | None


def import_mail(
    paths: Iterable[str | Path],
    *,
    progress: Callable[[int, int], None] | None = None,
    process: Callable[[int], object] = _process,
    batch_mails: int = BATCH_MAILS,
    our_addresses: Iterable[str] = (),
) -> ImportSummary:
    """Store and process every mail under `paths`, oldest first; see the module
    docstring.

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
    summary = ImportSummary()
    order = _order(found, summary)
    total = len(order) + summary.failed
    from frontline.mail.services import staff_addresses_cached

    def report(done: int) -> None:
        if progress is not None:
            progress(done, max(total, done))

    with staff_addresses_cached():
        if process is not _process:
            for done, (source, raw, date, error) in enumerate(_ordered_mails(order),
                                                              start=summary.failed + 1):
                if raw is None:
                    summary.fail(source, error)
                else:
                    _import_one(raw, source, date, summary, process, ours)
                report(done)
            return summary
        for batch, done in _batches(order, summary, batch_mails):
            _import_batch(batch, summary, ours)
            report(done)
    report(summary.total)
    return summary


def _batches(order: _Order, summary: ImportSummary,
             batch_mails: int) -> Iterator[tuple[list[_Pending], int]]:
    """The readable mail in batches, with how many mails were read by then; a
    file that cannot be read is a failure in the summary."""
    batch: list[_Pending] = []
    size = 0
    done = summary.failed
    for done, (source, raw, date, error) in enumerate(_ordered_mails(order),
                                                      start=summary.failed + 1):
        if raw is None:
            summary.fail(source, error)
            continue
        batch.append(_Pending(source, raw, date))
        size += len(raw)
        if len(batch) >= max(1, batch_mails) or size >= BATCH_BYTES:
            yield batch, done
            batch, size = [], 0
    if batch:
        yield batch, done


def _bound_sqlite_memory() -> None:
    """A long import reads the whole database as it grows; through SQLite's memory
    map every page it touches stays mapped into this process (up to mmap_size),
    so its memory would grow with the size of the history. The page cache alone
    is bounded; for this connection, reads go through it. (The settings turn the
    map off for every connection since issue 11; this keeps an import bounded
    whatever the settings say.)"""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size=0")


def _import_batch(batch: list[_Pending], summary: ImportSummary,
                  ours: tuple[str, ...] = ()) -> None:
    """Store a batch (committed), then process what needs processing in bulk."""
    from frontline.mail.batch import process_batch
    from frontline.mail.store import RawMail, accept_raw_many

    accepted = accept_raw_many(
        [RawMail(item.raw, str(item.source)[:300], received_at=item.received_at,
                 envelope_recipients=ours)
         for item in batch],
        source=InboundSource.IMPORT)
    todo: list[tuple[Source, InboundMail, bool]] = []
    taken: set[int] = set()
    for item, result in zip(batch, accepted, strict=True):
        if isinstance(result, FrontlineError):
            summary.fail(item.source, result.message)
            continue
        inbound = result.inbound
        # The same mail twice in one batch is processed once; the second copy
        # was already there by the time it was read.
        if result.created and inbound.pk not in taken:
            taken.add(inbound.pk)
            todo.append((item.source, inbound, True))
        elif inbound.state == InboundState.STORED and inbound.pk not in taken:
            # Stored by an import that was interrupted before processing it: finish the job.
            taken.add(inbound.pk)
            todo.append((item.source, inbound, False))
        else:
            summary.already_there += 1
    try:
        processed = process_batch([inbound for _, inbound, _ in todo])
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        # Rolled back as a whole: one mail at a time, so one broken mail stops only itself.
        logger.warning("Import: a batch of %d mails failed; processing them one by one",
                       len(todo), exc_info=True)
        for source, inbound, new in todo:
            _process_one(inbound, source, summary, _process, new=new)
        return
    for (source, _, new), row in zip(todo, processed, strict=True):
        _count(row, source, summary, new=new)


def _import_one(raw: bytes, source: Source, received_at: datetime | None,
                summary: ImportSummary, process: Callable[[int], object],
                ours: tuple[str, ...] = ()) -> None:
    try:
        accepted = accept_raw(raw, source=InboundSource.IMPORT, source_detail=str(source)[:300],
                              received_at=received_at, process=False,
                              envelope_recipients=list(ours))
    except FrontlineError as error:
        summary.fail(source, error.message)
        return
    inbound = accepted.inbound
    if not accepted.created and inbound.state != InboundState.STORED:
        summary.already_there += 1
        return
    # New, or stored by an import that was interrupted before processing it.
    _process_one(inbound, source, summary, process, new=accepted.created)


def _process_one(inbound: InboundMail, source: Source, summary: ImportSummary,
                 process: Callable[[int], object], *, new: bool) -> None:
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
        summary.fail(source, f"stored, but processing failed: {error}", kept=True)
        return
    if not isinstance(processed, InboundMail):
        processed = InboundMail.objects.get(pk=inbound.pk)
    _count(processed, source, summary, new=new)


def _count(processed: InboundMail, source: Source, summary: ImportSummary, *,
           new: bool) -> None:
    """The mail's one line in the summary, now that it was stored and processed."""
    if processed.state == InboundState.FAILED:
        summary.fail(source, f"stored, but could not be processed: {processed.error}"[:500],
                     kept=True)
        return
    if new:
        summary.stored += 1
    else:
        summary.already_there += 1
    if _opened_ticket(processed):
        summary.tickets_opened += 1
    summary.tickets_joined += processed.joined_tickets


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
