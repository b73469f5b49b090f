# ruff: noqa: RUF001  (customers write in Cyrillic too)
"""The customers of `bench.load`: mail over SMTP to `frontline mail listen`.

New requests in several languages and sizes (a line to a pasted log of four
hundred lines), some with an HTML part, and replies to the acknowledgements the
sink received, to the ticket's reply address with In-Reply-To, as a customer's
mail program would. A 4xx answer or a broken connection is tried again after a
few seconds, as a mail server would; only a 250 counts as accepted.
"""

from __future__ import annotations

import argparse
import email.policy
import json
import random
import re
import smtplib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any, Protocol

from bench.text import TextBank


class Timings(Protocol):
    def add(self, kind: str, began: float, status: int | str) -> None: ...


LANGUAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # (subjects, sentences) in a few languages besides the English of bench.text
    "de": (("Export bricht ab", "Rechnung doppelt gebucht", "Anmeldung nach Update defekt"),
           ("Seit heute Morgen bricht der Export nach zehn Minuten ab.",
            "Die Rechnung wurde zweimal gebucht, bitte prüfen Sie das.",
            "Nach dem Update auf 4.2 können sich unsere Nutzer nicht mehr anmelden.")),
    "fr": (("Erreur lors de la synchronisation", "Facture incorrecte"),
           ("Depuis la mise à jour, la synchronisation échoue avec une erreur 502.",
            "Pouvez-vous nous dire s'il existe un contournement ?",
            "Le tableau de bord reste vide dans Firefox.")),
    "es": (("No puedo iniciar sesión", "La exportación tarda demasiado"),
           ("Desde ayer no podemos iniciar sesión con SAML.",
            "La exportación de informes tarda más de una hora.")),
    "ja": (("エクスポートがタイムアウトします", "ログインできません"),
           ("昨日からエクスポートが十分後にタイムアウトします。",
            "回避策があれば教えてください。")),
    "ru": (("Не приходит письмо для сброса пароля", "Ошибка синхронизации"),
           ("Письмо для сброса пароля не приходит уже второй день.",
            "Синхронизация с Salesforce остановилась после обновления.")),
}


@dataclass
class SentMail:
    message_id: str        # without <>
    kind: str              # new | reply
    attempts: int = 0
    accepted: bool = False
    answers: list[str] = field(default_factory=list)


class MailSender(threading.Thread):
    """Sends R mails a second over SMTP to the listener; retries 4xx like an MTA."""

    RETRY_SECONDS = 5.0
    MAX_ATTEMPTS = 20

    def __init__(self, args: argparse.Namespace, recorder: Timings, stop: threading.Event,
                 sink_log: Path, support: str) -> None:
        super().__init__(name="mail-sender", daemon=True)
        self.args = args
        self.recorder = recorder
        self.stop_event = stop
        self.sink_log = sink_log
        self.support = support
        self.rng = random.Random(args.seed + 17)
        self.text = TextBank(self.rng, pool_size=500)
        self.pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="smtp")
        self.mails: list[SentMail] = []
        self.lock = threading.Lock()
        self.acks: list[dict[str, Any]] = []
        self._sink_offset = 0
        self.retry_queue: list[tuple[float, SentMail, bytes, str, list[str]]] = []

    def run(self) -> None:
        interval = 1.0 / self.args.mails_per_s
        next_at = time.monotonic()
        number = 0
        while not self.stop_event.is_set():
            now = time.monotonic()
            if now < next_at:
                self.stop_event.wait(min(next_at - now, 0.5))
                continue
            next_at += interval
            number += 1
            if number % 20 == 0:
                self._read_sink()
            self._submit_due_retries()
            mail, raw, sender, recipients = self._compose(number)
            with self.lock:
                self.mails.append(mail)
            self.pool.submit(self._send, mail, raw, sender, recipients)
        self.pool.shutdown(wait=True)
        # Retries still owed are sent after the load, as a mail server keeps trying.
        while True:
            with self.lock:
                if not self.retry_queue:
                    break
                self.retry_queue.sort(key=lambda item: item[0])
                when, mail, raw, sender, recipients = self.retry_queue.pop(0)
            time.sleep(max(0.0, when - time.monotonic()))
            self._send(mail, raw, sender, recipients)

    def _read_sink(self) -> None:
        """Learn the acknowledgements received so far: customers reply to them."""
        try:
            with self.sink_log.open(encoding="utf-8") as log:
                log.seek(self._sink_offset)
                for line in log:
                    if not line.endswith("\n"):
                        break
                    self._sink_offset += len(line.encode("utf-8"))
                    entry = json.loads(line)
                    if entry.get("auto-submitted") and "load.example" in entry.get("to", ""):
                        self.acks.append(entry)
        except FileNotFoundError:
            pass
        del self.acks[:-500]

    def _compose(self, number: int) -> tuple[SentMail, bytes, str, list[str]]:
        rng = self.rng
        mail = EmailMessage()
        domain = f"c{rng.randint(1, 60)}.load.example"
        if self.acks and rng.random() < 0.25:
            ack = rng.choice(self.acks)
            sender = _address(ack["to"])
            recipient = _address(ack["from"])
            mail["Subject"] = "Re: " + ack["subject"]
            mail["In-Reply-To"] = ack["message-id"]
            mail["References"] = ack["message-id"]
            body = rng.choice(("Thanks, here are the details you asked for.",
                               "Danke, anbei die Logdatei.", "Merci, voici la capture.",
                               "ありがとうございます。ログを添付します。"))
            body += "\n\n" + self.text.customer_message("Kim", "Load Ltd", "Support")
            kind = "reply"
        else:
            first = rng.choice(("anna", "ben", "chloe", "dmitri", "elif", "hiro", "ines",
                                "kasia", "mei", "nadia", "priya", "tomas"))
            sender = f"{first}.{rng.randint(1, 400)}@{domain}"
            recipient = self.support
            language = rng.choice(("en", "en", "en", *LANGUAGES))
            if language == "en":
                mail["Subject"] = self.text.subject()
                body = self.text.customer_message(first.title(), "Load Ltd", "Support")
            else:
                subjects, sentences = LANGUAGES[language]
                mail["Subject"] = rng.choice(subjects)
                body = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 6)))
            # Sizes from a line to a long report with a pasted log.
            if rng.random() < 0.15:
                body += "\n\n" + "\n".join(
                    f"2026-12-04 10:{i % 60:02d}:{rng.randint(0, 59):02d} ERROR worker-{i} "
                    f"timeout after {rng.randint(100, 90000)} ms"
                    for i in range(rng.randint(20, 400)))
            kind = "new"
        mail["From"] = formataddr((sender.split("@")[0].replace(".", " ").title(), sender))
        mail["To"] = recipient
        mail["Date"] = format_datetime(datetime.now(UTC))
        message_id = make_msgid(idstring=f"load{number}", domain=sender.split("@")[1])
        mail["Message-ID"] = message_id
        # Quoted-printable: SMTP refuses lines over 998 bytes (RFC 5321 §4.5.3.1.6).
        mail.set_content(body, cte="quoted-printable")
        if rng.random() < 0.4:
            paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n\n"))
            mail.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html",
                                 cte="quoted-printable")
        # CRLF line ends: smtplib sends bytes as they are, and SMTP (RFC 5321 §2.3.8)
        # ends a line only with CRLF.
        raw = mail.as_bytes(policy=email.policy.SMTP)
        return SentMail(message_id.strip("<>"), kind), raw, sender, [recipient]

    def _send(self, mail: SentMail, raw: bytes, sender: str, recipients: list[str]) -> None:
        began = time.monotonic()
        mail.attempts += 1
        code: int | str
        try:
            with smtplib.SMTP("127.0.0.1", self.args.listen_port, timeout=60) as smtp:
                smtp.sendmail(sender, recipients, raw)
            code = 250
        except smtplib.SMTPResponseException as error:
            code = error.smtp_code
            mail.answers.append(f"{error.smtp_code} {error.smtp_error!r}")
        except smtplib.SMTPRecipientsRefused as error:
            code = next(iter(error.recipients.values()))[0]
            mail.answers.append(f"refused {error.recipients}")
        except (OSError, smtplib.SMTPException) as error:
            code = "conn"
            mail.answers.append(f"{type(error).__name__}: {error}")
        self.recorder.add("smtp", began, code)
        if code == 250:
            mail.accepted = True
        elif (code == "conn" or (isinstance(code, int) and 400 <= code < 500)) and (
                mail.attempts < self.MAX_ATTEMPTS):
            with self.lock:
                self.retry_queue.append((time.monotonic() + self.RETRY_SECONDS, mail, raw,
                                         sender, recipients))

    def _submit_due_retries(self) -> None:
        now = time.monotonic()
        with self.lock:
            due = [item for item in self.retry_queue if item[0] <= now]
            self.retry_queue = [item for item in self.retry_queue if item[0] > now]
        for _, mail, raw, sender, recipients in due:
            self.pool.submit(self._send, mail, raw, sender, recipients)


def _address(header: str) -> str:
    match = re.search(r"<([^>]+)>", header)
    return (match.group(1) if match else header).strip()
