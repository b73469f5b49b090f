"""IMAP mailboxes: configured by an admin, polled by the workers.

A mailbox is read by UID, never by the \\Seen flag: each poll asks for the UIDs
above the last one stored (RFC 3501 §2.3.1.1), selects the folder read-only
(EXAMINE) and fetches with BODY.PEEK[], so another client reading or marking the
mailbox changes nothing here and nothing there. When the server's UIDVALIDITY
changes, the old UIDs mean nothing any more: the mailbox is read again from the
start, and storing (idempotent by Message-ID plus content hash) keeps every mail
that was already there from coming in twice.

One broken message never blocks the rest: a UID that cannot be fetched or stored
is recorded on the mailbox (`skipped_uids`) and passed over. A mailbox that cannot
be reached keeps its error (`last_error`, shown on the settings page) and is simply
tried again at the next poll; nothing is lost, because `last_uid` only moves past
mail that was stored.

Two workers never poll one mailbox at once: a poll first claims the mailbox with
a compare-and-set UPDATE of `polling_until` (a lease, so a worker killed mid-poll
holds it only until it expires).

The standard library's imaplib speaks to the server rather than imap-tools: the
poll needs exactly three commands (EXAMINE, UID SEARCH, UID FETCH BODY.PEEK[]) and
must see each UID's own answer to pass over a broken message, which a
message-iterating wrapper hides.
"""

from __future__ import annotations

import imaplib
import ipaddress
import logging
import re
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import FrontlineError, InvalidInput, NotFound
from frontline.core.models import User
from frontline.mail.models import InboundSource, Mailbox
from frontline.mail.store import accept_raw

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"imaps": 993, "imap": 143}
# A poll that takes longer than this is presumed dead and another worker may start.
LEASE = timedelta(minutes=15)
TIMEOUT_SECONDS = 60
FETCH_BATCH = 20
SKIPPED_KEPT = 200

_UID = re.compile(rb"\bUID (\d+)", re.IGNORECASE)
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class MailboxURL:
    """imaps://user:password@host:993/INBOX, read."""

    scheme: str
    host: str
    port: int
    username: str
    password: str
    folder: str

    @property
    def display(self) -> str:
        """The URL without its password, for pages and logs."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{self.username}@{host}:{self.port}/{self.folder}"


def parse_mailbox_url(url: str) -> MailboxURL:
    """Read and check a mailbox URL; InvalidInput (field "url") says what is wrong.

    imaps:// is IMAP over TLS (port 993). imap:// upgrades with STARTTLS when the
    server offers it; a password is sent unencrypted only to a loopback address.
    """
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidInput(f"'{_masked(url)}' is not a mailbox URL: {error}.", field="url") \
            from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidInput("A mailbox URL starts with imaps:// (or imap://), e.g. "
                           "imaps://user:password@imap.example.com:993/INBOX.", field="url")
    if not parts.hostname:
        raise InvalidInput("The mailbox URL names no server.", field="url")
    if not parts.username or parts.password is None:
        raise InvalidInput("The mailbox URL needs a user and a password "
                           "(imaps://user:password@host/INBOX).", field="url")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    if any(char in folder for char in "\r\n\0"):
        raise InvalidInput("The folder name has a line break in it.", field="url")
    return MailboxURL(scheme=scheme, host=parts.hostname, port=port or DEFAULT_PORTS[scheme],
                      username=unquote(parts.username), password=unquote(parts.password),
                      folder=folder)


def _masked(url: str) -> str:
    return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)


def display_url(mailbox: Mailbox) -> str:
    try:
        return parse_mailbox_url(mailbox.url).display
    except InvalidInput:
        return _masked(mailbox.url)


# -- what admins do ---------------------------------------------------------------


def mailboxes() -> QuerySet[Mailbox]:
    return Mailbox.objects.order_by("name")


def add_mailbox(url: str, *, name: str = "", actor: User | None = None) -> Mailbox:
    """Add a mailbox for the workers to poll (from the next poll on)."""
    if actor is not None:
        permissions.check_is_admin(actor)
    address = parse_mailbox_url(url)
    name = " ".join((name or "").split()) or f"{address.username}@{address.host}/{address.folder}"
    if len(name) > 100:
        raise InvalidInput("The name is longer than 100 characters.", field="name")
    if len(url.strip()) > 500:
        raise InvalidInput("The mailbox URL is longer than 500 characters.", field="url")
    try:
        with transaction.atomic():
            return Mailbox.objects.create(name=name, url=url.strip())
    except IntegrityError:
        raise InvalidInput(f"There is already a mailbox named '{name}'.", field="name") from None


def get_mailbox(name_or_id: str | int) -> Mailbox:
    """By id (an int), or by name (a str; a name of digits falls back to the id)."""
    if isinstance(name_or_id, int):
        found = Mailbox.objects.filter(pk=name_or_id).first()
    else:
        found = Mailbox.objects.filter(name=name_or_id).first()
        if found is None and name_or_id.isdigit():
            found = Mailbox.objects.filter(pk=int(name_or_id)).first()
    if found is None:
        raise NotFound(f"There is no mailbox '{name_or_id}'.")
    return found


def remove_mailbox(name_or_id: str | int, *, actor: User | None = None) -> Mailbox:
    """Stop polling a mailbox. The mail it brought stays."""
    if actor is not None:
        permissions.check_is_admin(actor)
    mailbox = get_mailbox(name_or_id)
    mailbox.delete()
    return mailbox


# -- polling --------------------------------------------------------------------


@dataclass
class PollResult:
    mailbox: str
    stored: int = 0
    already_there: int = 0
    skipped: list[int] = field(default_factory=list)
    error: str = ""
    claimed: bool = True


def due_mailbox_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(Mailbox.objects.filter(enabled=True)
                .filter(Q(polling_until__isnull=True) | Q(polling_until__lt=now))
                .order_by("pk").values_list("pk", flat=True))


def claim(mailbox_id: int, now: datetime) -> bool:
    """Take the mailbox's lease; True only for the one caller that did."""
    return Mailbox.objects.filter(pk=mailbox_id, enabled=True).filter(
        Q(polling_until__isnull=True) | Q(polling_until__lt=now)
    ).update(polling_until=now + LEASE) == 1


def poll_mailbox(mailbox_id: int, *, timeout: float = TIMEOUT_SECONDS) -> PollResult:
    """Fetch and store what is new in one mailbox; never raises for the server's faults."""
    now = timezone.now()
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound(f"There is no mailbox {mailbox_id}.")
    result = PollResult(mailbox=mailbox.name)
    if not claim(mailbox_id, now):
        result.claimed = False
        return result
    try:
        _poll(mailbox, result, timeout=timeout)
    except (OSError, ssl.SSLError, imaplib.IMAP4.error, FrontlineError, _ServerRefused) as error:
        result.error = _describe(error)
    except Exception as error:  # a bug must not leave the mailbox leased and silent
        logger.exception("Polling mailbox %s failed", mailbox.name)
        result.error = _describe(error)
    finally:
        finished = timezone.now()
        update: dict[str, Any] = {"polling_until": None, "last_polled_at": finished}
        if result.error:
            update.update(last_error=result.error[:2000], last_error_at=finished)
            logger.warning("Mailbox %s: %s", mailbox.name, result.error)
        else:
            update.update(last_error="", last_error_at=None)
        Mailbox.objects.filter(pk=mailbox_id).update(**update)
    return result


class _ServerRefused(Exception):
    """The server answered NO or BAD to a command the poll cannot do without."""


def _describe(error: BaseException) -> str:
    if isinstance(error, FrontlineError):
        return error.message
    if isinstance(error, socket.timeout | TimeoutError):
        return "The server did not answer in time."
    if isinstance(error, ConnectionRefusedError):
        return "The server refused the connection (is the host and port right?)."
    if isinstance(error, socket.gaierror):
        return f"The server's name could not be resolved: {error.strerror or error}."
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error.reason or error}."
    text = error.args[0] if error.args else str(error)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{type(error).__name__}: {text}" if not isinstance(error, _ServerRefused) else text


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextmanager
def connect(address: MailboxURL, *, timeout: float = TIMEOUT_SECONDS) -> Iterator[imaplib.IMAP4]:
    """A logged-in IMAP connection (logged out again afterwards)."""
    client: imaplib.IMAP4
    if address.scheme == "imaps":
        client = imaplib.IMAP4_SSL(address.host, address.port,
                                   ssl_context=ssl.create_default_context(), timeout=timeout)
    else:
        client = imaplib.IMAP4(address.host, address.port, timeout=timeout)
        if "STARTTLS" in client.capabilities:
            client.starttls(ssl_context=ssl.create_default_context())
        elif not _is_loopback(address.host):
            client.shutdown()
            raise InvalidInput(f"{address.host} offers no STARTTLS; use imaps:// so that the "
                               "password is not sent in the clear.", field="url")
    try:
        client.login(address.username, address.password)
        yield client
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            client.logout()


def _check(response: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = response
    if status != "OK":
        detail = b" ".join(item for item in data if isinstance(item, bytes)).decode(
            "utf-8", "replace")
        raise _ServerRefused(f"The server refused {what}: {detail or status}.")
    return data


def _quote_folder(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _poll(mailbox: Mailbox, result: PollResult, *, timeout: float) -> None:
    address = parse_mailbox_url(mailbox.url)
    with connect(address, timeout=timeout) as client:
        # EXAMINE: read-only, so no flag of any message changes, whatever we fetch.
        _check(client.select(_quote_folder(address.folder), readonly=True),
               f"to open the folder {address.folder}")
        uidvalidity = _uidvalidity(client, address.folder)
        last_uid = mailbox.last_uid
        if mailbox.uidvalidity != uidvalidity:
            if mailbox.uidvalidity is not None:
                logger.warning("Mailbox %s: UIDVALIDITY changed (%s -> %s); reading it again",
                               mailbox.name, mailbox.uidvalidity, uidvalidity)
            last_uid = 0
            mailbox.uidvalidity = uidvalidity
            mailbox.last_uid = 0
            mailbox.skipped_uids = []
            Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=0,
                                                         skipped_uids=[])
        # "N:*" always matches the highest UID, even below N (RFC 3501 §6.4.8): filter.
        data = _check(client.uid("SEARCH", f"UID {last_uid + 1}:*"), "the UID search")
        uids = sorted({int(uid) for chunk in data if chunk for uid in chunk.split()
                       if int(uid) > last_uid})
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start:start + FETCH_BATCH]
            fetched = _fetch(client, batch)
            skipped: list[dict[str, Any]] = []
            for uid in batch:
                entry = fetched.get(uid)
                if entry is None:
                    # Usually expunged between the search and the fetch; recorded all the
                    # same, so that a server quietly failing to return a mail is seen.
                    entry = "The server returned nothing for it (deleted meanwhile?)."
                if isinstance(entry, str):
                    skipped.append(_skip(uid, entry))
                    continue
                raw, internal_date = entry
                try:
                    accepted = accept_raw(raw, source=InboundSource.IMAP,
                                          source_detail=f"{mailbox.name} UID {uid}",
                                          received_at=internal_date)
                except FrontlineError as error:
                    skipped.append(_skip(uid, error.message))
                    continue
                if accepted.created:
                    result.stored += 1
                else:
                    result.already_there += 1
            # Only past mail that is stored (or recorded as skipped) does last_uid move.
            mailbox.last_uid = batch[-1]
            if skipped:
                result.skipped.extend(item["uid"] for item in skipped)
                mailbox.skipped_uids = (list(mailbox.skipped_uids or []) + skipped)[
                    -SKIPPED_KEPT:]
            # The lease is renewed as the poll goes: a first poll of a large mailbox
            # may take longer than one lease, and must not be joined by another worker.
            Mailbox.objects.filter(pk=mailbox.pk).update(
                last_uid=mailbox.last_uid, skipped_uids=mailbox.skipped_uids,
                polling_until=timezone.now() + LEASE)


def _skip(uid: int, reason: str) -> dict[str, Any]:
    return {"uid": uid, "error": reason[:500], "at": timezone.now().isoformat()}


def _uidvalidity(client: imaplib.IMAP4, folder: str) -> int:
    _, data = client.response("UIDVALIDITY")
    for item in data or []:
        if item:
            return int(item)
    # A server that leaves it out of the SELECT answer still tells it to STATUS.
    status = _check(client.status(_quote_folder(folder), "(UIDVALIDITY)"), "the folder status")
    for item in status:
        found = _UIDVALIDITY.search(item or b"")
        if found:
            return int(found.group(1))
    raise _ServerRefused("The server did not tell the folder's UIDVALIDITY.")


FetchEntry = tuple[bytes, datetime | None] | str


def _fetch(client: imaplib.IMAP4, uids: list[int]) -> dict[int, FetchEntry]:
    """{uid: (raw, INTERNALDATE)} or {uid: why it could not be fetched}. A batch the
    server refuses is fetched again one UID at a time, to find the one that breaks."""
    try:
        return _fetch_set(client, ",".join(map(str, uids)))
    except imaplib.IMAP4.abort:
        raise  # the connection is gone: the poll ends here and resumes next time
    except (_ServerRefused, imaplib.IMAP4.error) as error:
        if len(uids) == 1:
            return {uids[0]: _describe(error)}
    found: dict[int, FetchEntry] = {}
    for uid in uids:
        try:
            found.update(_fetch_set(client, str(uid)))
        except imaplib.IMAP4.abort:
            raise
        except (_ServerRefused, imaplib.IMAP4.error) as error:
            found[uid] = _describe(error)
    return found


def _fetch_set(client: imaplib.IMAP4, uid_set: str) -> dict[int, FetchEntry]:
    # BODY.PEEK[]: the whole message, without setting \Seen (RFC 3501 §6.4.5).
    data = _check(client.uid("FETCH", uid_set, "(UID INTERNALDATE BODY.PEEK[])"),
                  f"to fetch UID {uid_set}")
    found: dict[int, FetchEntry] = {}
    for index, item in enumerate(data):
        if not isinstance(item, tuple):
            continue
        meta, raw = item[0], item[1]
        following = data[index + 1] if index + 1 < len(data) else b""
        # The UID may come before or after the literal, depending on the server.
        match = _UID.search(meta) or (_UID.search(following)
                                      if isinstance(following, bytes) else None)
        if match is None:
            continue
        found[int(match.group(1))] = (bytes(raw), _internal_date(meta))
    return found


def _internal_date(meta: bytes) -> datetime | None:
    parsed = imaplib.Internaldate2tuple(meta)
    if parsed is None:
        return None
    # Internaldate2tuple gives local time; mktime turns it back into the instant.
    return datetime.fromtimestamp(time.mktime(parsed), tz=UTC)
