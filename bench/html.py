# ruff: noqa: RUF001  (the mails are meant to be full of non-ASCII letters)
"""What hostile HTML costs, before and after issue 11 (bounds before sanitising, sanitise once).

    .venv/bin/python -m bench.html [--work-dir DIR] [--database-url URL]
                                   [--before-ref HEAD] [--before-timeout 120] [--typical 40]

Mails, all HTML only (so the text comes from the HTML too), generated here:

- deep: 100,000 nested `<div>`s around one sentence (1.1 MB);
- report: a 1.1 MB generated report, one table of 14,000 rows;
- fonts: 3,000 `<div><font color=…>` left open (113 KB), which HTML5 re-opens in
  every new block;
- typical: `--typical` letters and replies as mail programs write them (Outlook-like
  tables, Gmail quotes, signatures, 2-40 KB), reported per mail (median).

Before: the HTML work of `frontline/mail/html.py` as it is at `--before-ref` (read with
`git show`, nothing in the tree changes), each case in a child process killed after
`--before-timeout` seconds: parsing's share (text, reply text, sanitising of the raw
HTML) and a page view's share (sanitising the stored HTML again, what the desk's
`mail_html` filter did on every view).

After, with the code in the tree on a fresh database (SQLite under --work-dir, or
--database-url): parsing (`parse_message`), ingest (`accept_raw` + `process_inbound`,
parsing included) and the desk's ticket page `/t/FL-…` for an admin (median of 5, a
Django test client in this process, no HTTP). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def deep_html() -> str:
    return ("<div>" * 100_000 + "Der Export bricht bei Zeile 4711 ab, seit dem Update."
            + "</div>" * 100_000)


def report_html() -> str:
    pick = random.Random(7).choice
    kinds = ("Überweisung", "Lastschrift", "返金", "Storno", "Remboursement", "Gutschrift")
    rows = "".join(
        f"<tr><td>{n}</td><td>{pick(kinds)}</td><td align='right' style='color:#{n % 4096:03x}'>"
        f"{n * 37 % 9973},{n % 100:02d} €</td></tr>" for n in range(14_000))
    return f"<p>Monatsbericht März</p><table border='1'>{rows}</table><p>Ende</p>"


def fonts_html() -> str:
    return "".join(f"<div><font color='#{n * 2654435761 % 16777216:06x}'>Zeile {n}</div>"
                   for n in range(3_000))


GREETINGS = ("Hello team,", "Hallo zusammen,", "Bonjour,", "Hola,", "Dzień dobry,", "您好，")
SENTENCES = (
    "the nightly export stops at 2 a.m. with <b>error 504</b> since the upgrade to 5.2.",
    "seit dem Update können wir keine Rechnungen mehr <i>als PDF</i> speichern.",
    "l'import des contacts s'arrête après 1 000 lignes, voir la capture.",
    "la sincronización con Salesforce falla cada noche con un <code>timeout</code>.",
    "po aktualizacji nie działa logowanie przez SAML.",
    "升级以后报表导出一直失败，请帮忙看看。",
)


def typical_html(rng: random.Random) -> str:
    paragraphs = "".join(f"<p>{rng.choice(SENTENCES)}</p>" for _ in range(rng.randint(1, 6)))
    table = "".join(f"<tr><td style='padding:4px'>{key}</td><td>{rng.randint(1, 9999)}</td></tr>"
                    for key in rng.sample(["Version", "OS", "Database", "Browser", "Seats",
                                           "Region", "Plan"], rng.randint(0, 5)))
    quote = "".join(f"<blockquote type='cite'><p>{rng.choice(SENTENCES)}</p>"
                    for _ in range(rng.randint(0, 6))) + "</blockquote>" * 6
    signature = ("<table cellpadding='0'><tr><td><font face='Arial' color='#336699'>"
                 "Anna Novak<br>Operations</font></td></tr></table>" * rng.randint(1, 3))
    padding = "<div style='margin:0'><span style='font-size:11pt'>&nbsp;</span></div>" \
        * rng.randint(0, 200)
    return (f"<html><head><style>p{{margin:0}}</style></head><body><div dir='ltr'>"
            f"<p>{rng.choice(GREETINGS)}</p>{paragraphs}<table>{table}</table>{padding}"
            f"{signature}<div class='gmail_quote'>{quote}</div></div></body></html>")


def html_mail(html: str, number: int) -> bytes:
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"] = f"Customer {number} <customer{number}@bench-html.example>"
    mail["To"] = "support@frontline.localhost"
    mail["Subject"] = f"HTML case {number}"
    mail["Message-ID"] = f"<bench-html-{number}-{time.time_ns()}@bench-html.example>"
    mail.set_content(html, subtype="html")
    return bytes(mail)


# --- before: the HTML work of the old module, in a child process with a timeout ----------


def old_module(ref: str, work_dir: Path) -> Path:
    source = subprocess.run(["git", "show", f"{ref}:frontline/mail/html.py"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    path = work_dir / "html_before.py"
    path.write_text(source)
    return path


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("html_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _before_child(path: str, html: str, results: Any) -> None:
    old = _load(Path(path))
    started = time.perf_counter()
    old.html_to_text(html)
    old.reply_html_to_text(html)
    stored = old.sanitise_html(html)
    results.put(("parse", time.perf_counter() - started, len(stored)))
    started = time.perf_counter()
    old.sanitise_html(stored)
    results.put(("page", time.perf_counter() - started, len(stored)))


def before(path: Path, html: str, timeout: float) -> dict[str, str]:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_before_child, args=(str(path), html, results))
    child.start()
    deadline = time.monotonic() + timeout
    found: dict[str, str] = {}
    while time.monotonic() < deadline and ("parse" not in found or "page" not in found):
        try:
            kind, seconds, size = results.get(timeout=0.5)
        except queue.Empty:
            if not child.is_alive():
                break
            continue
        found[kind] = f"{seconds:.3f} s"
        found["stored"] = f"{size / 1e6:.2f} MB"
    if child.is_alive():
        child.kill()
    child.join()
    for kind in ("parse", "page"):
        found.setdefault(kind, f"> {timeout:.0f} s (killed)")
    found.setdefault("stored", "?")
    return found


# --- after: the code in the tree, on a real database --------------------------------------


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def after(html: str, number: int, client: Any) -> dict[str, float | int]:
    from frontline.mail.html import bounded, html_to_text, reply_html_to_text, sanitise_html
    from frontline.mail.parse import parse_message
    from frontline.mail.services import process_inbound
    from frontline.mail.store import accept_raw

    def html_work() -> None:
        shape = bounded(html)
        html_to_text(shape)
        reply_html_to_text(shape)
        sanitise_html(shape)

    raw = html_mail(html, number)
    html_seconds, _ = timed(html_work)
    parse_seconds, parsed = timed(lambda: parse_message(raw))
    ingest_seconds, inbound = timed(lambda: process_inbound(
        accept_raw(raw, source="import", process=False).inbound.pk))
    assert inbound.ticket is not None, inbound.error
    reference = inbound.ticket.reference
    pages = []
    for _ in range(5):
        seconds, response = timed(lambda: client.get(f"/t/{reference}", HTTP_HOST="localhost"))
        assert response.status_code == 200, response.status_code
        pages.append(seconds)
    return {"html": html_seconds, "parse": parse_seconds, "ingest": ingest_seconds,
            "page": statistics.median(pages), "stored": len(parsed.html or "")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work-dir", default=None)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--before-ref", default="HEAD")
    parser.add_argument("--before-timeout", type=float, default=120.0)
    parser.add_argument("--typical", type=int, default=40)
    parser.add_argument("--skip-before", action="store_true")
    args = parser.parse_args(argv)

    work_dir = Path(args.work_dir or tempfile.mkdtemp(prefix="fl-bench-html-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    os.environ["FRONTLINE_DATA_DIR"] = str(work_dir)
    if args.database_url:
        os.environ["FRONTLINE_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    sys.path.insert(0, str(ROOT))

    rng = random.Random(2024)
    cases = [("deep", deep_html()), ("report", report_html()), ("fonts", fonts_html())]
    typical = [typical_html(rng) for _ in range(args.typical)]

    print(f"# before: frontline/mail/html.py at {args.before_ref}", flush=True)
    old_path = old_module(args.before_ref, work_dir)
    befores: dict[str, dict[str, str]] = {}
    # Imported and warmed here, so each forked child times the work, not the imports.
    _load(old_path).html_to_text("<p>warm <b>up</b></p>")
    if not args.skip_before:
        for name, html in cases:
            befores[name] = before(old_path, html, args.before_timeout)
            print(f"{name:8} {len(html) / 1e6:5.2f} MB  {befores[name]}", flush=True)
        typical_before = [before(old_path, html, args.before_timeout) for html in typical]
        befores["typical"] = {
            kind: f"{statistics.median(float(b[kind].split()[0]) for b in typical_before):.4f} s"
            for kind in ("parse", "page")}
        print(f"typical  (median of {len(typical)})  {befores['typical']}", flush=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from frontline.core.models import Role, User

    call_command("migrate", interactive=False, verbosity=0)
    admin, _ = User.objects.get_or_create(
        username="bench-html", defaults={"role": Role.ADMIN, "tier": 3,
                                         "email": "bench-html@frontline.localhost"})
    client = Client()
    client.force_login(admin)

    print("# after: the tree's code", flush=True)
    print(f"{'case':8} {'size':>8} {'html work':>10} {'parse':>8} {'ingest':>8} {'page':>8} "
          f"{'stored':>9}")  # stored: the safe HTML's length
    number = 0
    for name, html in cases:
        number += 1
        figures = after(html, number, client)
        print(f"{name:8} {len(html) / 1e6:6.2f}MB {figures['html']:9.3f}s "
              f"{figures['parse']:7.3f}s {figures['ingest']:7.3f}s {figures['page']:7.3f}s "
              f"{figures['stored'] / 1e3:7.0f}KB", flush=True)
    runs = []
    for html in typical:
        number += 1
        runs.append(after(html, number, client))
    medians = {kind: statistics.median(float(run[kind]) for run in runs)
               for kind in ("html", "parse", "ingest", "page", "stored")}
    sizes = sorted(len(html) for html in typical)
    print(f"typical  {sizes[0] / 1e3:.0f}-{sizes[-1] / 1e3:.0f} KB  {medians['html']:9.4f}s "
          f"{medians['parse']:7.4f}s {medians['ingest']:7.4f}s {medians['page']:7.4f}s "
          f"(median of {len(typical)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
