"""Attachments: content stored once per SHA-256, however often it is attached."""

from __future__ import annotations

import hashlib
import mimetypes
import re

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from frontline.core.errors import InvalidInput
from frontline.tickets.models import Attachment, Blob, Message

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\]+")


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


def clean_filename(filename: str) -> str:
    """A name safe to show and to offer for download: no paths, no control characters."""
    name = _UNSAFE_FILENAME.sub("_", (filename or "").strip()).strip(". ")
    return name[:255] or "attachment"


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
