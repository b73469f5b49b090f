"""Helper process of the crash test (tests/mail/test_inbound_crash.py).

`python -m tests.mail.crash_feeder feed N SEED`: stores N realistic mails with
`accept_raw` (each queued for the workers, as every channel does); a third are
replies quoting an earlier mail's Message-ID. `python -m tests.mail.crash_feeder
report`: prints, as JSON, what the database holds afterwards.
Runs against whatever FRONTLINE_DATA_DIR / FRONTLINE_DATABASE_URL name.
"""

from __future__ import annotations

import json
import os
import random
import sys

DOMAIN = "crash.example"


def message_id(number: int) -> str:
    return f"crash.{number}@{DOMAIN}"


def mail(number: int, rng: random.Random) -> bytes:
    sender = f"customer{rng.randrange(400)}@{rng.choice(['acme', 'umbrella', 'wayne'])}.example"
    lines = [
        f"From: Customer {number} <{sender}>",
        "To: support@frontline.localhost",
        f"Message-ID: <{message_id(number)}>",
        "Date: Thu, 26 Nov 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
    ]
    if number > 10 and rng.random() < 0.33:
        earlier = rng.randrange(1, number)
        lines += [f"Subject: Re: Problem {earlier}", f"In-Reply-To: <{message_id(earlier)}>",
                  f"References: <{message_id(earlier)}>"]
        body = f"Any news on this?\n\nOn Thursday you wrote:\n> Problem {earlier} details\n"
    else:
        lines.append(f"Subject: Problem {number}")
        body = f"Hello,\n\nproblem number {number}: the export fails with code {number % 97}.\n"
    lines += ["Content-Type: text/plain; charset=utf-8", ""]
    return ("\r\n".join(lines) + "\r\n" + body.replace("\n", "\r\n")).encode()


def feed(count: int, seed: int) -> None:
    from frontline.mail.store import accept_raw

    rng = random.Random(seed)
    for number in range(1, count + 1):
        accept_raw(mail(number, rng), source="lmtp", envelope_recipients=[
            "support@frontline.localhost"])


def report() -> dict[str, object]:
    from django.db.models import Count

    from frontline.mail.models import InboundMail
    from frontline.tickets.models import Event, Message

    ours = Message.objects.filter(kind="inbound", email_message_id__endswith=f"@{DOMAIN}")
    doubled = (ours.values("email_message_id").annotate(n=Count("id")).filter(n__gt=1).count())
    return {
        "stored": InboundMail.objects.count(),
        "states": dict(InboundMail.objects.values_list("state").annotate(n=Count("id"))),
        "without_message": InboundMail.objects.filter(message__isnull=True).count(),
        "messages": ours.count(),
        "distinct_messages": ours.values("email_message_id").distinct().count(),
        "doubled": doubled,
        "on_a_ticket": ours.filter(ticket__isnull=False).count(),
        "mismatched": InboundMail.objects.exclude(
            message__email_message_id=models_f("header_message_id")).count(),
        "double_acknowledged": Event.objects.filter(kind="acknowledged").values("ticket")
        .annotate(n=Count("id")).filter(n__gt=1).count(),
        "errors": list(InboundMail.objects.exclude(error="").exclude(state="processed")
                       .values_list("error", flat=True)[:5]),
    }


def models_f(name: str) -> object:
    from django.db.models import F

    return F(name)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    import django

    django.setup()
    if sys.argv[1] == "feed":
        feed(int(sys.argv[2]), int(sys.argv[3]))
    else:
        print(json.dumps(report()))


if __name__ == "__main__":
    main()
