"""Files sent with the form: the limits of inbound mail, applied while they arrive.

The same numbers as mail (FRONTLINE_MAX_ATTACHMENT_MB a file,
FRONTLINE_MAX_MESSAGE_MB in all; frontline.mail.services.within_limits) and
the workflow's count (frontline.workflow.requests.MAX_FILES). Mail keeps an
oversized file in the raw message and says on the ticket what was left out;
the form has no raw message, so it tells the customer at once instead. A file
over the limit is skipped as it streams in (Django's SkipFile), not written to a
temporary file first, so a huge upload costs no disk and no memory.

Files that run code when opened are taken as mail takes them: stored, and
marked wherever staff see them (frontline.tickets.services.attachments.is_dangerous).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from frontline.intake.models import Question, QuestionType
from frontline.workflow.requests import MAX_FILES, UploadedFile

# The prefix of an answer's field name (frontline.portal.request.form uses the same).
ANSWER_PREFIX = "q-"


def per_file_bytes() -> int:
    return int(settings.FRONTLINE_MAX_ATTACHMENT_MB * 1024 * 1024)


def per_request_bytes() -> int:
    return int(settings.FRONTLINE_MAX_MESSAGE_MB * 1024 * 1024)


@dataclass(frozen=True)
class Refused:
    field: str
    filename: str
    reason: str


class SizeLimits(FileUploadHandler):
    """First in the request's upload handlers: skips a file once it is over the
    limit a file, or once the files together are; the next handler (memory or a
    temporary file, Django's defaults) keeps the rest."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.per_file = per_file_bytes()
        self.per_request = per_request_bytes()
        self.kept_bytes = 0
        self.size = 0
        self.refused: list[Refused] = []

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.size += len(raw_data)
        if self.size > self.per_file:
            self._refuse(f"is larger than {settings.FRONTLINE_MAX_ATTACHMENT_MB:g} MB")
        if self.kept_bytes + self.size > self.per_request:
            self._refuse(f"would take the files over "
                         f"{settings.FRONTLINE_MAX_MESSAGE_MB:g} MB in all")
        return raw_data

    def _refuse(self, reason: str) -> None:
        self.refused.append(Refused(str(self.field_name or ""),
                                    str(self.file_name or "A file"), reason))
        raise SkipFile()

    def file_complete(self, file_size: int) -> None:
        self.kept_bytes += file_size
        return None  # the next handler makes the file


def limit(request: HttpRequest) -> SizeLimits:
    """Put the limits in front of `request`'s upload handlers (before anything reads
    request.POST or request.FILES) and return them, to read what they refused."""
    handler = SizeLimits(request)
    request.upload_handlers.insert(0, handler)
    return handler


def files_sent(request: HttpRequest, every: Sequence[Question]) -> dict[str, list[UploadedFile]]:
    """The files sent, by field: "" for the attachments, a question's key for its own."""
    fields = {"": "attachments", **{question.key: ANSWER_PREFIX + question.key
                                    for question in every if question.type == QuestionType.FILE}}
    return {key: [UploadedFile(name=str(upload.name or "attachment"), content=upload.read(),
                               content_type=str(upload.content_type or ""))
                  for upload in request.FILES.getlist(name)]
            for key, name in fields.items()}


def file_errors(files: Mapping[str, list[UploadedFile]], refused: SizeLimits) -> dict[str, str]:
    """What was wrong with the files, by field: too large, or too many."""
    errors: dict[str, str] = {}
    for each in refused.refused:
        name = each.field if each.field.startswith(ANSWER_PREFIX) else "attachments"
        errors.setdefault(name, f"{each.filename} {each.reason}; it was not sent.")
    count = sum(len(each) for each in files.values())
    if count > MAX_FILES:
        errors.setdefault("attachments", f"Send at most {MAX_FILES} files (you chose {count}).")
    return errors


def dropped(request: HttpRequest, refused: SizeLimits) -> list[str]:
    """The names of the files this post carried, which the page cannot keep."""
    names = [str(upload.name) for name in request.FILES for upload in request.FILES.getlist(name)]
    return names + [each.filename for each in refused.refused]
