"""Attachments: content stored once per SHA-256, however often it is attached, and the
limits every way in shares (a mail, the request form, a reply or note from the desk,
the portal or the API): `refusal` decides for one file, `check_files` for a batch."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from frontline.core.errors import InvalidInput
from frontline.core.filenames import (
    clean_filename as clean_filename,  # the one cleaning of names, also for the batch import
)
from frontline.tickets.models import Attachment, Blob, Message

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024

# Files a message may carry when a person sends them through a form or the API
# (a mail brings what it brings; its sizes are limited, not its count).
MAX_FILES = 10


@dataclass(frozen=True)
class UploadedFile:
    """A file a customer or agent sent (the face reads it; the workflow attaches it)."""

    name: str
    content: bytes
    content_type: str = ""

    @property
    def size(self) -> int:
        return len(self.content)


def per_file_bytes() -> int:
    return int(settings.FRONTLINE_MAX_ATTACHMENT_MB * 1024 * 1024)


def per_message_bytes() -> int:
    return int(settings.FRONTLINE_MAX_MESSAGE_MB * 1024 * 1024)


def refusal(size: int, kept_bytes: int) -> str | None:
    """Why a file of `size` bytes cannot join a message already carrying `kept_bytes`
    of files (None: it fits). The inbound mail's limits (FRONTLINE_MAX_ATTACHMENT_MB a
    file, FRONTLINE_MAX_MESSAGE_MB in all), so what we send is what we would take."""
    if size > per_file_bytes():
        return f"is larger than {settings.FRONTLINE_MAX_ATTACHMENT_MB:g} MB"
    if kept_bytes + size > per_message_bytes():
        return f"would take the files over {settings.FRONTLINE_MAX_MESSAGE_MB:g} MB in all"
    return None


class SizedFile(Protocol):
    """What the limits read of a file: an UploadedFile, or Django's own before it is
    read into memory (so an oversized upload is refused without reading it)."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...


def check_files(files: Sequence[SizedFile], field: str = "attachments") -> None:
    """Refuse the whole batch (422, naming the file) when one file does not fit or
    there are too many. Refused, never dropped: whoever sends a reply is still there to
    be told, unlike a mail's sender, whose oversized files the raw mail keeps."""
    if len(files) > MAX_FILES:
        raise InvalidInput(f"Send at most {MAX_FILES} files (there were {len(files)}).",
                           field=field)
    kept = 0
    for upload in files:
        size = upload.size or 0
        reason = refusal(size, kept)
        if reason is not None:
            name = clean_filename(upload.name or "") or "A file"
            raise InvalidInput(f"{name} {reason}; nothing was sent.", field=field)
        kept += size


# Types that run code when opened (executables, scripts, macro-enabled Office
# files, shortcuts, disk images): the desk marks them so nobody opens one blindly.
DANGEROUS_EXTENSIONS = frozenset({
    "exe", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "dll", "cpl", "jar", "js", "jse",
    "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "hta", "lnk", "reg", "iso", "img", "vhd",
    "docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppam", "sldm", "apk", "app",
    "sh", "application", "gadget", "scf", "url", "chm",
})


def is_dangerous(filename: str) -> bool:
    """Whether a file of this name runs code when opened (`invoice.pdf.exe` included)."""
    extension = (filename or "").rstrip(". ").rpartition(".")[2].lower()
    return "." in (filename or "") and extension in DANGEROUS_EXTENSIONS


def store_blob(content: bytes) -> Blob:
    """The Blob holding `content`, written to storage only the first time it is seen."""
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            f"The attachment is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB.",
            field="attachments",
        )
    digest = hashlib.sha256(content).hexdigest()
    existing = Blob.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    # Two-level fan-out keeps directories small with millions of files.
    path = f"blobs/{digest[:2]}/{digest[2:4]}/{digest}"
    blob = Blob(sha256=digest, size=len(content))
    blob.file.save(path, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            blob.save(force_insert=True)
    except IntegrityError:
        # Stored concurrently by someone else: same content, same name, nothing lost.
        return Blob.objects.get(sha256=digest)
    return blob


@transaction.atomic
def attach(
    message: Message,
    filename: str,
    content: bytes,
    *,
    content_type: str = "",
    inline: bool = False,
    content_id: str = "",
) -> Attachment:
    name = clean_filename(filename)
    guessed = mimetypes.guess_type(name)[0]
    return Attachment.objects.create(
        message=message,
        blob=store_blob(content),
        filename=name,
        content_type=(content_type or guessed or "application/octet-stream")[:255],
        inline=inline,
        content_id=content_id.strip("<>")[:255],
    )


def read_attachment(attachment: Attachment) -> bytes:
    with attachment.blob.file.open("rb") as handle:
        return handle.read()
