# ruff: noqa: RUF001  (the mails are meant to be full of non-ASCII letters)
"""How fast mail comes in: `frontline mail import` end to end, against the standard
library parsing the same mails and doing nothing else.

    .venv/bin/python -m bench.mail_ingest [--mails 5000] [--work-dir DIR] [--keep]
                                           [--database-url URL] [--profile]
                                           [--no-sla] [--one-by-one] [--read-facts]
                                           [--live]

1. Generates N realistic mails into one mbox file: new requests from a few
   hundred customers at a few dozen companies, replies to earlier mails
   (In-Reply-To/References), about half with an HTML alternative, one in eight
   with an attachment (PDF-ish bytes, a PNG, a CSV), in several charsets and
   transfer encodings (UTF-8 in quoted-printable and base64, ISO-8859-1,
   windows-1252, KOI8-R, ISO-2022-JP, GB2312, 8-bit). Not timed.
2. Parse-only: reads the mbox with the standard library's `mailbox.mbox` and
   parses every mail with `email.parser.BytesParser(policy=email.policy.default)`
   and walks its parts, in this process. Nothing else.
3. End to end: `frontline migrate`, then (unless --no-sla) what a real desk has
   configured, so that the SLA clock and routing do their real work per ticket:
   a default plan with an office-hours SLA policy, a 24x7 premium plan, and one
   company in three as a premium organization with its mail domain. Then
   `frontline mail import FILE` as a subprocess on that fresh SQLite database
   (or --database-url), timed from the import's start to its exit; its peak
   resident memory comes from wait4(). --one-by-one imports through the live
   channels' path instead (services.process_inbound per mail, no batches), for
   comparison.

--live measures the worker instead of the import: every mail is stored as live
mail (as the SMTP listener stores it, its processing task queued; not timed),
then one worker process (`FrontlineWorker`, as `frontline worker` runs it) works
until the queue is empty: processing, acknowledgements (written to the outbox
directory: no SMTP server) and detection, timed with its CPU. Live mail is
dated when processed and acknowledged, so this is the desk's drain rate under a
backlog (issue 11, part 3), not the import's.

Prints mails/s of both, the ratio, and the import's peak memory, against the
targets of issue 3 (300 mails/s, 40 % of parse-only, 100,000 mails under 300 MB).
"""

from __future__ import annotations

import argparse
import base64
import email.policy
import mailbox
import os
import quopri
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.utils import format_datetime, formataddr
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRONTLINE = [sys.executable, "-m", "frontline.cli"]
TARGET_RATE = 300
TARGET_RATIO = 0.40
TARGET_MB = 300

FIRST = ["Anna", "Ben", "Chloé", "Dmitri", "Elif", "Femi", "Grace", "Hiro", "Inés", "Jonas",
         "Kasia", "Liam", "Mei", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tomás"]
LAST = ["Novak", "Schmidt", "Dubois", "Ivanova", "Yılmaz", "Okafor", "Tanaka", "García",
        "Kowalski", "Chen", "Rossi", "Berg", "Silva", "Haddad", "Müller", "Larsen"]
SUBJECTS = [
    "Nightly export fails with a timeout", "Cannot log in after the upgrade to 4.2",
    "Invoice INV-{n} shows the wrong VAT", "Dashboard is blank in Firefox",
    "Sync with Salesforce stopped", "Permission denied when saving a report",
    "Password reset mail never arrives", "Import of {n} rows hangs at 99 %",
    "SAML login loops back to the start page", "Webhooks are retried forever",
    "Question about our contract renewal", "API returns 502 under load",
]
SENTENCES = [
    "Since this morning the export job stops after about ten minutes with a timeout.",
    "We upgraded from 4.1 to 4.2 yesterday evening and nothing else changed.",
    "The log says 'connection reset by peer' right before it fails.",
    "It happens for every user in our Berlin office, but not in Lyon.",
    "We run PostgreSQL 15 on Ubuntu 22.04, behind an nginx proxy.",
    "Could you tell us whether there is a workaround until a fix is out?",
    "This blocks our month-end closing, so a quick answer would help a lot.",
    "I attached the screenshot and the last lines of the log file.",
    "Restarting the service helps for an hour, then it starts again.",
    "Our account manager said you might already know about this problem.",
]
# (charset, transfer encoding, a line in that language)
CHARSETS = [
    ("utf-8", "quoted-printable", "Grüße aus Köln, und danke für die schnelle Hilfe!"),
    ("utf-8", "base64", "Merci beaucoup pour votre réponse rapide, à bientôt."),
    ("utf-8", "8bit", "Dziękuję za pomoc, pozdrawiam serdecznie."),
    ("iso-8859-1", "quoted-printable", "Muchas gracias por la ayuda, señor."),
    ("windows-1252", "quoted-printable", "Thanks – “really” – for the help… €5 well spent."),
    ("koi8-r", "base64", "Спасибо за помощь, с уважением."),
    ("iso-2022-jp", "7bit", "ご対応ありがとうございます。よろしくお願いします。"),
    ("gb2312", "base64", "谢谢你们的帮助，祝好。"),
]
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def _encode(text: str, charset: str, encoding: str) -> tuple[bytes, str]:
    data = text.encode(charset, errors="replace")
    if encoding == "base64":
        return base64.encodebytes(data), "base64"
    if encoding == "quoted-printable":
        return quopri.encodestring(data), "quoted-printable"
    return data, encoding


def _part(body: str, subtype: str, charset: str, encoding: str) -> bytes:
    payload, cte = _encode(body, charset, encoding)
    return (f"Content-Type: text/{subtype}; charset=\"{charset}\"\n"
            f"Content-Transfer-Encoding: {cte}\n\n").encode() + payload


def company_count(mails: int) -> int:
    return max(5, mails // 400)


def generate(path: Path, count: int, seed: int = 7) -> int:
    """Write `count` mails to an mbox at `path`; returns its size in bytes."""
    rng = random.Random(seed)
    companies = [f"company{n}.example" for n in range(company_count(count))]
    people = [(f"{rng.choice(FIRST)} {rng.choice(LAST)}",
               f"user{n}@{rng.choice(companies)}") for n in range(max(20, count // 8))]
    start = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    sent: list[tuple[str, str, str]] = []  # (message id, subject, sender address)
    with path.open("wb") as out:
        for number in range(count):
            at = start + timedelta(minutes=number * 7 + rng.randint(0, 5))
            reply_to = rng.choice(sent[-2000:]) if sent and rng.random() < 0.35 else None
            if reply_to is not None:
                name, address = next(((n, a) for n, a in people if a == reply_to[2]),
                                     rng.choice(people))
                subject = f"Re: {reply_to[1]}"
            else:
                name, address = rng.choice(people)
                subject = rng.choice(SUBJECTS).format(n=rng.randint(1000, 99999))
            message_id = f"m{number}.{rng.getrandbits(40):x}@{address.split('@')[1]}"
            charset, encoding, greeting = rng.choice(CHARSETS)
            lines = rng.sample(SENTENCES, rng.randint(2, 5))
            text = "Hello support team,\n\n" + "\n".join(lines) + f"\n\n{greeting}\n{name}\n"
            if reply_to is not None:
                text += "\nOn an earlier day, Support wrote:\n> " + "\n> ".join(
                    rng.sample(SENTENCES, 3)) + "\n"
            headers = [
                f"From: {formataddr((name, address))}",
                "To: Support <support@frontline.localhost>",
                f"Subject: {subject}",
                f"Date: {format_datetime(at)}",
                f"Message-ID: <{message_id}>",
                "MIME-Version: 1.0",
            ]
            if reply_to is not None:
                headers += [f"In-Reply-To: <{reply_to[0]}>", f"References: <{reply_to[0]}>"]
            body = _part(text, "plain", charset, encoding)
            if rng.random() < 0.5:
                html = "<html><body><p>" + "</p><p>".join(text.split("\n")) + "</p></body></html>"
                body = _multipart("alternative", [body, _part(html, "html", charset, encoding)])
            if rng.random() < 0.125:
                body = _multipart("mixed", [body, _attachment(rng, number)])
            mail = "\n".join(headers).encode("ascii") + b"\n" + body
            out.write(f"From {address} {at.strftime('%a %b %d %H:%M:%S %Y')}\n".encode())
            out.write(_escape_from(mail).rstrip(b"\n") + b"\n\n")
            sent.append((message_id, subject.removeprefix("Re: "), address))
    return path.stat().st_size


def _multipart(subtype: str, parts: list[bytes]) -> bytes:
    boundary = f"=={subtype}{random.getrandbits(48):x}=="
    chunks = [f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\n\n".encode()]
    for part in parts:
        chunks.append(f"--{boundary}\n".encode() + part.rstrip(b"\n") + b"\n")
    chunks.append(f"--{boundary}--\n".encode())
    return b"".join(chunks)


def _attachment(rng: random.Random, number: int) -> bytes:
    kind = rng.choice(["pdf", "png", "csv"])
    if kind == "png":
        data, ctype, name = PNG, "image/png", f"screenshot-{number}.png"
    elif kind == "csv":
        data = "\n".join(f"{row},{rng.randint(1, 999)},ok" for row in range(200)).encode()
        ctype, name = "text/csv", f"export-{number}.csv"
    else:
        data = b"%PDF-1.4\n" + rng.randbytes(rng.randint(4000, 40000))
        ctype, name = "application/pdf", f"log-{number}.pdf"
    return (f"Content-Type: {ctype}; name=\"{name}\"\n"
            f"Content-Disposition: attachment; filename=\"{name}\"\n"
            "Content-Transfer-Encoding: base64\n\n").encode() + base64.encodebytes(data)


def _escape_from(mail: bytes) -> bytes:
    return mail.replace(b"\nFrom ", b"\n>From ")


def parse_only(path: Path) -> tuple[int, float]:
    """(mails, seconds): the standard library reading the same mbox, nothing else."""
    parser = BytesParser(policy=email.policy.default)
    started = time.perf_counter()
    cpu_started = time.process_time()
    count = 0
    box = mailbox.mbox(path, create=False)
    try:
        for key in box.iterkeys():
            message = parser.parsebytes(box.get_bytes(key))
            for part in message.walk():
                if not part.is_multipart():
                    part.get_content()
            count += 1
    finally:
        box.close()
    elapsed = time.perf_counter() - started
    print(f"  (parse only used {time.process_time() - cpu_started:.1f} s CPU)")
    return count, elapsed


# What a desk has configured (see the module docstring, step 3).
SETUP = """
import sys
import django
django.setup()
from frontline.customers.models import Organization, OrganizationDomain, Plan
from frontline.sla.models import BusinessCalendar, SlaPolicy, WorkingInterval
standard = Plan.objects.create(name="Standard", slug="standard", is_default=True, rank=1)
premium = Plan.objects.create(name="Premium", slug="premium", rank=2)
office = BusinessCalendar.objects.create(name="Office hours", timezone="Europe/Berlin")
for weekday in range(5):
    WorkingInterval.objects.create(calendar=office, weekday=weekday, start="09:00",
                                   end="17:00")
SlaPolicy.objects.create(plan=standard, calendar=office, first_response_minutes=480,
                         next_response_minutes=960, resolution_minutes=4800)
SlaPolicy.objects.create(plan=premium, first_response_minutes=60, next_response_minutes=240,
                         resolution_minutes=1440)
for number in range(0, int(sys.argv[1]), 3):
    organization = Organization.objects.create(name=f"Company {number}", plan=premium)
    OrganizationDomain.objects.create(organization=organization,
                                      domain=f"company{number}.example")
"""
# The live channels' path, for --one-by-one: process_inbound for each mail.
ONE_BY_ONE = """
import sys
import time
import django
django.setup()
from frontline.mail.importer import import_mail
from frontline.mail.services import process_inbound
started = time.monotonic()
summary = import_mail(sys.argv[1:], process=process_inbound)
print(f"Read {summary.total} mails one by one in {time.monotonic() - started:.1f} s: "
      f"{summary.stored} stored, {summary.already_there} already there, "
      f"{summary.failed} failed, {summary.tickets_opened} tickets opened.")
"""
# --live: the mails stored as live mail with their tasks, then one worker drains them.
LIVE = """
import mailbox
import sys
import time
import django
django.setup()
from django.db.models import Count
from django_tasks_db.models import DBTaskResult
from frontline.core.worker import FrontlineWorker
from frontline.mail.models import InboundMail, InboundSource
from frontline.mail.store import accept_raw
for mail in mailbox.mbox(sys.argv[1], create=False):
    accept_raw(mail.as_bytes(), source=InboundSource.LMTP)
tasks = DBTaskResult.objects.count()
started, cpu = time.perf_counter(), time.process_time()
FrontlineWorker(batch=True, schedule=False, interval=0).run()
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
states = dict(InboundMail.objects.values_list("state").annotate(n=Count("pk")))
done = DBTaskResult.objects.count()
mails = sum(states.values())
print(f"Read {mails} mails live: one worker drained {tasks} queued tasks ({done} with "
      f"those they queued); mails by state {states}")
print(f"live drain: {mails} mails in {seconds:.1f} s = {mails / seconds:.1f} mails/s "
      f"({cpu:.1f} s CPU = {mails / cpu:.1f} mails per CPU second)")
"""
# --read-facts: what the worker then does with the import's queued messages
# (frontline.intake.reading.read_pending), timed on its own. Reading a message is
# the same work the live channels do inline, so this is also their cost per message.
READ_FACTS = """
import time
import django
django.setup()
from frontline.intake import reading
queued = reading.pending_count()
started, cpu = time.perf_counter(), time.process_time()
read = 0
while True:
    done = reading.read_pending(1000)
    if not done:
        break
    read += done
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
print(f"facts: the worker read {read} of {queued} queued messages in {seconds:.1f} s = "
      f"{read / seconds:.0f} messages/s, {1000 * seconds / max(read, 1):.2f} ms each "
      f"({cpu:.1f} s CPU)")
"""


def end_to_end(path: Path, env: dict[str, str], *, profile: Path | None, sla: bool,
               mails: int, one_by_one: bool, live: bool = False
               ) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in kB, the import's output)."""
    subprocess.run([*FRONTLINE, "migrate"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    if sla:
        subprocess.run([sys.executable, "-c", SETUP, str(company_count(mails))],
                       env={**env, "DJANGO_SETTINGS_MODULE": "frontline.settings"},
                       check=True, cwd=ROOT)
    command = [*FRONTLINE, "mail", "import", str(path)]
    if one_by_one:
        command = [sys.executable, "-c", ONE_BY_ONE, str(path)]
    if live:
        command = [sys.executable, "-c", LIVE, str(path)]
    if profile is not None:
        command = [sys.executable, "-m", "pyinstrument", "--renderer", "text",
                   "--outfile", str(profile), "-m", "frontline.cli", "mail", "import", str(path)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env={**env, "DJANGO_SETTINGS_MODULE": "frontline.settings"},
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1) or "Read " not in output:
        raise SystemExit(f"the import exited with {process.returncode}:\n{output}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    parser.add_argument("--profile", action="store_true",
                        help="run the import under pyinstrument; write profile.txt in the work dir")
    parser.add_argument("--no-sla", action="store_true",
                        help="import into a bare database: no plans, SLA policies or "
                             "organizations (the SLA clock has nothing to compute)")
    parser.add_argument("--read-facts", action="store_true",
                        help="after the import, time the worker reading the facts of the "
                             "messages the import queued (intake.read_pending)")
    parser.add_argument("--one-by-one", action="store_true",
                        help="import through the live path (process_inbound per mail), "
                             "not in batches, for comparison")
    parser.add_argument("--live", action="store_true",
                        help="store the mails as live mail and time one worker draining "
                             "them (processing, acknowledgements, detection)")
    args = parser.parse_args()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="fl-mail-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        box = work / "mails.mbox"
        started = time.perf_counter()
        size = generate(box, args.mails)
        print(f"generated {args.mails} mails ({size / 1e6:.1f} MB mbox) in "
              f"{time.perf_counter() - started:.1f} s  [load {os.getloadavg()[0]:.2f}]")
        parsed, parse_seconds = parse_only(box)
        parse_rate = parsed / parse_seconds
        print(f"parse only (stdlib mailbox + BytesParser, policy.default): {parsed} mails in "
              f"{parse_seconds:.1f} s = {parse_rate:.0f} mails/s")
        env = {**os.environ, "FRONTLINE_DATA_DIR": str(work / "data"),
               "FRONTLINE_LOG_LEVEL": "WARNING"}
        if args.database_url:
            env["FRONTLINE_DATABASE_URL"] = args.database_url
        else:
            env.pop("FRONTLINE_DATABASE_URL", None)
        profile = work / "profile.txt" if args.profile else None
        if args.one_by_one and profile is not None:
            raise SystemExit("--profile and --one-by-one do not go together")
        seconds, cpu, peak_kb, output = end_to_end(box, env, profile=profile,
                                                   sla=not args.no_sla, mails=args.mails,
                                                   one_by_one=args.one_by_one,
                                                   live=args.live)
        print(output.strip())
        if args.live:
            print(f"[load {os.getloadavg()[0]:.2f}]")
            return 0
        rate = args.mails / seconds
        ratio = rate / parse_rate
        how = "one by one (process_inbound per mail)" if args.one_by_one else (
            "frontline mail import")
        setup = "bare database" if args.no_sla else "plans, SLA policies, organizations"
        print(f"end to end ({how}; {setup}): {args.mails} mails in {seconds:.1f} s = "
              f"{rate:.0f} mails/s ({cpu:.1f} s CPU = {args.mails / cpu:.0f} mails per CPU "
              f"second), peak memory {peak_kb / 1024:.0f} MB  [load {os.getloadavg()[0]:.2f}]")
        print(f"ratio end to end / parse only: {ratio:.1%}")
        print(f"targets: >= {TARGET_RATE} mails/s: {'met' if rate >= TARGET_RATE else 'MISSED'}; "
              f">= {TARGET_RATIO:.0%} of parse only: "
              f"{'met' if ratio >= TARGET_RATIO else 'MISSED'}; "
              f"memory under {TARGET_MB} MB: {'met' if peak_kb / 1024 < TARGET_MB else 'MISSED'}")
        if profile is not None:
            print(f"profile: {profile}")
        if args.read_facts:
            facts = subprocess.run([sys.executable, "-c", READ_FACTS], cwd=ROOT, check=True,
                                   env={**env, "DJANGO_SETTINGS_MODULE": "frontline.settings"},
                                   stdout=subprocess.PIPE)
            print(facts.stdout.decode().strip() + f"  [load {os.getloadavg()[0]:.2f}]")
    finally:
        if not args.keep and args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
