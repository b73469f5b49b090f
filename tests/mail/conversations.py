"""Writing support conversations as mail files, the way an old help desk's export
or several merged mailboxes leave them: one file per mail, named at random, so the
order of the names says nothing about the order of the mails.

Each conversation is an original request and one to three replies in several
languages and wordings. Replies thread the ways real clients do: In-Reply-To and
References, References only (some webmail), In-Reply-To only (old clients), and
some from a colleague the original copied in. The first reply answers the
original; later ones answer the mail before them. Dates carry different UTC
offsets, so that only a real date comparison puts them in order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

# (language, subjects, openings, lines, thanks)
LANGUAGES = [
    ("en", ["Nightly export stops after {n} rows", "Cannot sign in since the update",
            "Invoice {n} shows the wrong tax", "Report builder is very slow"],
     ["Hello support,", "Hi there,", "Good morning,"],
     ["The export job has stopped with a timeout three nights in a row.",
      "Since version 4.{n} the login page keeps sending us back to the start.",
      "Our finance team noticed the numbers do not add up.",
      "It takes minutes to open a report that used to open at once."],
     ["Thanks!", "Best regards,", "Cheers,"]),
    ("de", ["Export bricht nach {n} Zeilen ab", "Anmeldung seit dem Update kaputt",
            "Rechnung {n} mit falscher Steuer"],
     ["Hallo Support,", "Guten Tag,"],
     ["Der nächtliche Export bricht seit Montag mit einer Zeitüberschreitung ab.",
      "Seit Version 4.{n} landen wir nach der Anmeldung wieder auf der Startseite.",
      "Unsere Buchhaltung sagt, die Summen stimmen nicht."],
     ["Viele Grüße", "Danke und Grüße"]),
    ("fr", ["L'export s'arrête après {n} lignes", "Connexion impossible depuis la mise à jour"],
     ["Bonjour,", "Bonjour l'équipe,"],
     ["L'export de nuit s'arrête avec un délai dépassé depuis trois jours.",
      "Depuis la version 4.{n}, la page de connexion nous renvoie au début."],
     ["Merci d'avance,", "Cordialement,"]),
    ("es", ["La exportación se detiene tras {n} filas", "No puedo entrar desde la actualización"],
     ["Hola,", "Buenos días,"],
     ["La exportación nocturna falla con un tiempo de espera agotado.",
      "Desde la versión 4.{n} el inicio de sesión vuelve a la página principal."],
     ["Gracias,", "Saludos,"]),
    ("ja", ["エクスポートが{n}行で止まります", "アップデート後にログインできません"],
     ["サポートご担当者様", "お世話になっております。"],
     ["夜間のエクスポートがタイムアウトで止まってしまいます。",
      "バージョン4.{n}からログイン画面に戻されてしまいます。"],
     ["よろしくお願いいたします。"]),
]
REPLY_LINES = [
    "Any news on this? It happened again last night.",
    "Some more detail: it only fails for the big customer list.",
    "Noch eine Info: es passiert nur bei großen Listen.",
    "Petite précision : cela n'arrive qu'avec les gros fichiers.",
    "Una cosa más: solo pasa con los archivos grandes.",
    "追加情報です。大きなファイルの場合のみ発生します。",
    "Same here, I see it on my machine too.",
    "Restarting the service did not help, unfortunately.",
]
OFFSETS = [0, 1, 2, -5, -8, 9, 5.5]  # hours from UTC, as senders' clocks write them
HOW_REPLIES_THREAD = ["both", "references", "in-reply-to"]


@dataclass
class Conversation:
    """One request and its replies: the Message-IDs, original first."""

    message_ids: list[str] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)


@dataclass
class Written:
    conversations: list[Conversation]
    files: list[Path]


def _date(at: datetime, rng: random.Random) -> str:
    offset = timezone(timedelta(hours=rng.choice(OFFSETS)))
    return format_datetime(at.astimezone(offset))


def write_conversations(folder: Path, count: int, *, seed: int,
                        undated_originals: int = 0) -> Written:
    """Write `count` conversations into `folder`, one file per mail with a random
    name. The first `undated_originals` conversations' originals carry a Date no
    one can read, so the import puts them after their replies."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2025, 2, 3, 7, 30, tzinfo=UTC)
    conversations: list[Conversation] = []
    files: list[Path] = []
    for number in range(count):
        language, subjects, openings, lines, thanks = rng.choice(LANGUAGES)
        domain = f"customer{number % 7}.example"
        requester = (f"{rng.choice(['Ana', 'Jörg', 'Chloé', 'Kenji', 'Marta', 'Sam'])} "
                     f"{number}", f"person{number}@{domain}")
        colleague = (f"Colleague {number}", f"colleague{number}@{domain}")
        copied = rng.random() < 0.4
        at = start + timedelta(hours=number * 3, minutes=rng.randint(0, 170))
        conversation = Conversation(languages={language})
        subject = rng.choice(subjects).format(n=rng.randint(2, 9999))
        text = "\n\n".join([rng.choice(openings),
                            " ".join(rng.sample(lines, rng.randint(1, len(lines)))),
                            rng.choice(thanks), requester[0]]) + "\n"
        original_id = f"req{number}.{rng.getrandbits(32):x}@{domain}"
        mail = _mail(requester, subject, text, original_id, cc=colleague if copied else None)
        mail["Date"] = ("sometime last week" if number < undated_originals
                        else _date(at, rng))
        conversation.message_ids.append(original_id)
        files.append(_write(folder, mail, rng))
        previous, chain = original_id, [original_id]
        for reply_number in range(rng.randint(1, 3)):
            at += timedelta(minutes=rng.randint(20, 60 * 24 * 3))
            sender = colleague if copied and rng.random() < 0.5 else requester
            reply_id = f"re{number}-{reply_number}.{rng.getrandbits(32):x}@{domain}"
            body = (rng.choice(REPLY_LINES) + f"\n\n{sender[0]}\n\n"
                    + "".join(f"> {line}\n" for line in text.splitlines()))
            reply = _mail(sender, f"{rng.choice(['Re: ', 'RE: ', 'AW: ', 'Réf : '])}{subject}",
                          body, reply_id)
            reply["Date"] = _date(at, rng)
            how = rng.choice(HOW_REPLIES_THREAD)
            if how in ("both", "in-reply-to"):
                reply["In-Reply-To"] = f"<{previous}>"
            if how in ("both", "references"):
                reply["References"] = " ".join(f"<{mid}>" for mid in chain)
            conversation.message_ids.append(reply_id)
            files.append(_write(folder, reply, rng))
            previous = reply_id
            chain.append(reply_id)
        conversations.append(conversation)
    return Written(conversations, files)


def _mail(sender: tuple[str, str], subject: str, text: str, message_id: str, *,
          cc: tuple[str, str] | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = formataddr(sender)
    mail["To"] = "Help Desk <help@oldesk.example>"
    if cc is not None:
        mail["Cc"] = formataddr(cc)
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{message_id}>"
    mail.set_content(text)
    return mail


def _write(folder: Path, mail: EmailMessage, rng: random.Random) -> Path:
    path = folder / f"{rng.getrandbits(64):016x}.eml"
    path.write_bytes(bytes(mail))
    return path


def as_mbox(files: list[Path], path: Path, rng: random.Random) -> Path:
    """The same mails in one mbox, shuffled (mboxrd: body lines "From " escaped)."""
    shuffled = list(files)
    rng.shuffle(shuffled)
    with path.open("wb") as out:
        for file in shuffled:
            raw = file.read_bytes().replace(b"\nFrom ", b"\n>From ")
            out.write(b"From archive@oldesk.example Mon Jan  6 09:00:00 2025\n"
                      + raw.rstrip(b"\n") + b"\n\n")
    return path
