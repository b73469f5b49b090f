"""The `frontline` command: run, set up and look after a Frontline installation.

Every command is thin: it parses its arguments and calls a service or a
Django management command. A mistake the user can fix (an unknown user, a bad
role) is one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any, NoReturn

EXIT_USAGE = 2
EXIT_FAILURE = 1


class UsageError(Exception):
    """A mistake on the command line; reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _env_port() -> int:
    value = os.environ.get("FRONTLINE_PORT", "8000")
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"FRONTLINE_PORT='{value}' is not a port number.") from None


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535)")
    return port


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{number} is negative")
    return number


def _at_least_one(value: str) -> int:
    number = _positive(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="frontline", description="Frontline, the customer-support desk.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    serve = commands.add_parser(
        "serve", help="run the web app and the background worker (migrates first if needed)")
    serve.add_argument("--host", default=os.environ.get("FRONTLINE_HOST", "127.0.0.1"),
                       help="address to listen on (default: $FRONTLINE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=None,
                       help="port to listen on (default: $FRONTLINE_PORT or 8000)")
    serve.add_argument("--threads", type=_at_least_one, default=8,
                       help="web request threads (default: 8)")
    serve.add_argument("--no-worker", action="store_true",
                       help="do not run the background worker in this process")
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser(
        "worker", help="run the background worker alone (for scaled deployments)")
    worker.add_argument("--interval", type=float, default=1.0,
                        help="seconds to wait when the queue is empty (default: 1)")
    worker.add_argument("--batch", action="store_true",
                        help="run what is queued, then exit")
    worker.add_argument("--no-periodic", action="store_true",
                        help="do not schedule periodic jobs from this worker")
    worker.set_defaults(handler=cmd_worker)

    migrate = commands.add_parser("migrate", help="create or update the database tables")
    migrate.set_defaults(handler=cmd_migrate)

    demo = commands.add_parser(
        "demo", help="load realistic demo data (does nothing if it is already loaded)")
    demo.add_argument("--tickets", type=_positive, default=None,
                      help="how many tickets to write (default: 300)")
    demo.set_defaults(handler=cmd_demo)

    user = commands.add_parser("user", help="manage staff accounts")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION",
                                        parser_class=_Parser)
    user_commands.required = True
    user_create = user_commands.add_parser("create", help="create a staff account")
    user_create.add_argument("--username", required=True)
    user_create.add_argument("--role", required=True,
                             help="admin, agent, developer or viewer")
    user_create.add_argument("--tier", default=None,
                             help="1, 2 or 3 (default: 3 for admins and developers, else 1)")
    user_create.add_argument("--password", default=None,
                             help="without one, a password is generated and printed")
    user_create.add_argument("--email", default="")
    user_create.set_defaults(handler=cmd_user_create)

    token = commands.add_parser("token", help="manage API tokens")
    token_commands = token.add_subparsers(dest="token_command", metavar="ACTION",
                                          parser_class=_Parser)
    token_commands.required = True
    token_create = token_commands.add_parser(
        "create", help="issue an API token for a user and print it (only the token)")
    token_create.add_argument("--username", required=True)
    token_create.add_argument("--name", default="", help="what the token is for")
    token_create.set_defaults(handler=cmd_token_create)

    search = commands.add_parser("search", help="look after the search index")
    search_commands = search.add_subparsers(dest="search_command", metavar="ACTION",
                                            parser_class=_Parser)
    search_commands.required = True
    reindex = search_commands.add_parser("reindex", help="rebuild the search index")
    reindex.set_defaults(handler=cmd_search_reindex)

    insights = commands.add_parser("insights", help="similar tickets and recurring problems")
    insights_commands = insights.add_subparsers(dest="insights_command", metavar="ACTION",
                                                parser_class=_Parser)
    insights_commands.required = True
    refresh = insights_commands.add_parser(
        "refresh", help="read every pending ticket and detect recurring problems now")
    refresh.set_defaults(handler=cmd_insights_refresh)

    from frontline.mail.cli import add_parse_arguments

    mail = commands.add_parser("mail", help="the email channel")
    mail_commands = mail.add_subparsers(dest="mail_command", metavar="ACTION",
                                        parser_class=_Parser)
    mail_commands.required = True
    mail_parse = mail_commands.add_parser(
        "parse", help="show how Frontline reads mail files (for debugging a delivery)")
    add_parse_arguments(mail_parse)
    mail_parse.set_defaults(handler=cmd_mail_parse)
    mail_import = mail_commands.add_parser(
        "import", help="import .eml files, mbox files and Maildir folders (history)")
    mail_import.add_argument("paths", nargs="+", metavar="PATH",
                             help=".eml file, mbox file, Maildir folder, or a folder of those")
    mail_import.add_argument(
        "--our-address", action="append", default=[], metavar="ADDRESS",
        help="an address of the help desk you are moving from (repeatable): mail to it "
             "was mail to us, so it is copied on no ticket")
    mail_import.set_defaults(handler=cmd_mail_import)
    mail_reprocess = mail_commands.add_parser(
        "reprocess", help="process again the stored mail that did not finish")
    mail_reprocess.add_argument("--limit", type=_at_least_one, default=1000,
                                help="at most this many mails (default: 1000)")
    mail_reprocess.add_argument("--no-failed", action="store_true",
                                help="leave mail that failed before alone")
    mail_reprocess.set_defaults(handler=cmd_mail_reprocess)
    mail_listen = mail_commands.add_parser(
        "listen", help="receive mail over SMTP or LMTP from a mail server")
    mail_listen.add_argument("--host", default="127.0.0.1",
                             help="address to listen on (default: 127.0.0.1)")
    mail_listen.add_argument("--port", type=_port, default=2525,
                             help="port to listen on (default: 2525)")
    mail_listen.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")
    mail_listen.set_defaults(handler=cmd_mail_listen)
    mailbox = mail_commands.add_parser("mailbox", help="the IMAP mailboxes the worker polls")
    mailbox_commands = mailbox.add_subparsers(dest="mailbox_command", metavar="ACTION",
                                              parser_class=_Parser)
    mailbox_commands.required = True
    mailbox_add = mailbox_commands.add_parser("add", help="add a mailbox to poll")
    mailbox_add.add_argument("url", metavar="URL",
                             help="imaps://user:password@host:993/INBOX")
    mailbox_add.add_argument("--name", default="", help="a name for it (default: from the URL)")
    mailbox_add.set_defaults(handler=cmd_mailbox_add)
    mailbox_list = mailbox_commands.add_parser("list", help="list the mailboxes and their state")
    mailbox_list.set_defaults(handler=cmd_mailbox_list)
    mailbox_remove = mailbox_commands.add_parser("remove", help="stop polling a mailbox")
    mailbox_remove.add_argument("name", metavar="NAME")
    mailbox_remove.set_defaults(handler=cmd_mailbox_remove)
    mailbox_poll = mailbox_commands.add_parser("poll", help="poll mailboxes now, in this process")
    mailbox_poll.add_argument("names", nargs="*", metavar="NAME",
                              help="which ones (default: every enabled mailbox)")
    mailbox_poll.set_defaults(handler=cmd_mailbox_poll)
    mail_send_test = mail_commands.add_parser(
        "send-test", help="send a test mail now, to check FRONTLINE_SMTP_URL (prints the answer)")
    mail_send_test.add_argument("address", metavar="ADDRESS", help="where to send it")
    mail_send_test.set_defaults(handler=cmd_mail_send_test)
    mail_deliver = mail_commands.add_parser(
        "deliver", help="send the queued mail that is due now, in this process")
    mail_deliver.set_defaults(handler=cmd_mail_deliver)
    return parser


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _progress_bar(description: str, unit: str) -> tuple[Callable[[int, int], None], Any]:
    """A (callback, bar) pair; the callback takes (done, total). The bar only draws
    on a terminal, so scripts and CI logs are not filled with redraws."""
    from tqdm import tqdm

    bar = tqdm(desc=description, unit=unit, disable=None, file=sys.stderr, leave=True)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return update, bar


# -- commands -------------------------------------------------------------------


def _pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _migrate(*, quiet: bool) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)


def _require_migrated() -> None:
    if _pending_migrations():
        raise UsageError("The database is not set up or not up to date; "
                         "run 'frontline migrate' first.")


def cmd_migrate(args: argparse.Namespace) -> int:
    _migrate(quiet=False)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from frontline import demo

    if _pending_migrations():
        _migrate(quiet=True)
    update, bar = _progress_bar("Writing demo history", "steps")
    started = time.monotonic()
    try:
        summary = demo.load(tickets=args.tickets if args.tickets is not None
                            else demo.DEFAULT_TICKETS, progress=update)
    finally:
        bar.close()
    if summary.created:
        _out(f"Demo data loaded in {time.monotonic() - started:.1f} s: "
             f"{summary.organizations} organizations, {summary.contacts} contacts, "
             f"{summary.tickets} tickets.")
    else:
        _out("Demo data is already loaded; nothing to do.")
    _print_logins(summary.logins, changed_since=not summary.created)
    return 0


def _print_logins(logins: list[tuple[str, str, str]], *, changed_since: bool) -> None:
    _out("Demo logins (username / password"
         + (", unless changed since the demo was loaded):" if changed_since else "):"))
    for username, password, what in logins:
        shown = password or "(its own)"
        _out(f"  {username:<6} / {shown:<10}  {what}")


def cmd_user_create(args: argparse.Namespace) -> int:
    import secrets

    from frontline.core import accounts

    _require_migrated()
    password = args.password
    generated = password is None
    if generated:
        password = secrets.token_urlsafe(12)
    user = accounts.create_user(username=args.username, role=args.role, tier=args.tier,
                                password=password, email=args.email)
    _out(f"Created {user.role} '{user.username}' (tier {user.tier}).")
    if generated:
        _out(f"Password: {password}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from frontline.core import accounts

    _require_migrated()
    # Only the token, so that scripts can capture it: TOKEN=$(frontline token create ...)
    _out(accounts.issue_token(args.username, name=args.name))
    return 0


def cmd_search_reindex(args: argparse.Namespace) -> int:
    try:
        from frontline.search import services as search
    except ImportError:
        raise UsageError("This installation has no search index to rebuild.") from None
    _require_migrated()
    update, bar = _progress_bar("Reindexing", "rows")
    started = time.monotonic()
    try:
        count = search.reindex(progress=update)
    finally:
        bar.close()
    _out(f"Search index rebuilt: {count} documents in {time.monotonic() - started:.1f} s.")
    return 0


def cmd_insights_refresh(args: argparse.Namespace) -> int:
    from frontline.insights import detection

    _require_migrated()
    started = time.monotonic()
    result = detection.run(limit=None, everything=True)
    _out(f"Detection done in {time.monotonic() - started:.1f} s: {result.signatures} "
         f"signatures built, {result.groups} groups of similar tickets, {result.joined} "
         f"tickets added to alerts, {len(result.raised)} alerts raised.")
    for alert in result.raised:
        _out(f"  alert {alert.pk}: {alert.title} ({alert.links.count()} tickets, "
             f"raised {alert.raised_at:%Y-%m-%d %H:%M})")
    return 0


def cmd_mail_parse(args: argparse.Namespace) -> int:
    from frontline.mail.cli import parse_command

    return parse_command(args.files, as_json=args.json, out=sys.stdout)


def cmd_mail_import(args: argparse.Namespace) -> int:
    from frontline.mail.importer import import_mail

    _require_migrated()
    update, bar = _progress_bar("Importing mail", "mails")
    started = time.monotonic()
    try:
        summary = import_mail(args.paths, progress=update, our_addresses=args.our_address)
    finally:
        bar.close()
    elapsed = time.monotonic() - started
    # Each mail read counts once: stored + already there + failed = read.
    _out(f"Read {summary.total} mails in {elapsed:.1f} s: {summary.stored} stored, "
         f"{summary.already_there} already there, {summary.failed} failed, "
         f"{summary.tickets_opened} tickets opened.")
    if summary.tickets_joined:
        _out(f"{summary.tickets_joined} tickets opened by replies were merged into the "
             "ticket of the mail they answer, which was read after them.")
    if summary.failed_kept:
        _out(f"{summary.failed_kept} of the failed mails are stored but could not be "
             "processed; `frontline mail reprocess` takes them up again.")
    for failure in summary.failures:
        _out(f"  failed: {failure}")
    if len(summary.failures) < summary.failed:
        _out(f"  ... and {summary.failed - len(summary.failures)} more (see the log).")
    return EXIT_FAILURE if summary.failed else 0


def cmd_mail_reprocess(args: argparse.Namespace) -> int:
    from frontline.mail.services import reprocess_pending

    _require_migrated()
    count = reprocess_pending(args.limit, include_failed=not args.no_failed)
    _out(f"Reprocessed {count} stored mails." if count else "Nothing to reprocess.")
    return 0


def cmd_mail_listen(args: argparse.Namespace) -> int:
    from frontline.mail.listener import serve_forever, start_listener

    _require_migrated()
    try:
        listener = start_listener(args.host, args.port, lmtp=args.lmtp)
    except OSError as error:
        raise UsageError(f"Cannot listen on {args.host}:{args.port}: "
                         f"{error.strerror or error}.") from None
    stopped = threading.Event()
    _out(f"Receiving mail over {'LMTP' if args.lmtp else 'SMTP'} on "
         f"{listener.host}:{listener.port}. Press Ctrl-C to stop.")
    with _on_stop_signals(stopped.set):
        serve_forever(listener, stopped)
    _out("Mail listener stopped.")
    return 0


def cmd_mailbox_add(args: argparse.Namespace) -> int:
    from frontline.mail import imap

    _require_migrated()
    mailbox = imap.add_mailbox(args.url, name=args.name)
    _out(f"Added mailbox '{mailbox.name}' ({imap.display_url(mailbox)}); "
         "the worker polls it from now on.")
    return 0


def cmd_mailbox_list(args: argparse.Namespace) -> int:
    from frontline.mail import imap

    _require_migrated()
    rows = list(imap.mailboxes())
    if not rows:
        _out("No mailboxes. Add one with 'frontline mail mailbox add imaps://...'.")
    for mailbox in rows:
        polled = (mailbox.last_polled_at.isoformat(timespec="seconds")
                  if mailbox.last_polled_at else "never")
        state = "enabled" if mailbox.enabled else "disabled"
        _out(f"{mailbox.name}\t{imap.display_url(mailbox)}\t{state}\tlast polled {polled}"
             f"\tlast UID {mailbox.last_uid}"
             + (f"\terror: {' '.join(mailbox.last_error.split())}" if mailbox.last_error else ""))
    return 0


def cmd_mailbox_remove(args: argparse.Namespace) -> int:
    from frontline.mail import imap

    _require_migrated()
    mailbox = imap.remove_mailbox(args.name)
    _out(f"Removed mailbox '{mailbox.name}'; the mail it brought stays.")
    return 0


def cmd_mailbox_poll(args: argparse.Namespace) -> int:
    from frontline.mail import imap

    _require_migrated()
    ids = ([imap.get_mailbox(name).pk for name in args.names] if args.names
           else imap.due_mailbox_ids())
    failed = False
    for mailbox_id in ids:
        result = imap.poll_mailbox(mailbox_id)
        if not result.claimed:
            _out(f"{result.mailbox}: being polled by a worker right now; skipped.")
        elif result.error:
            failed = True
            _out(f"{result.mailbox}: failed: {result.error}")
        else:
            _out(f"{result.mailbox}: {result.stored} new, {result.already_there} already there"
                 + (f", skipped UIDs {result.skipped}" if result.skipped else "") + ".")
    return EXIT_FAILURE if failed else 0


def cmd_mail_send_test(args: argparse.Namespace) -> int:
    from frontline.mail import outbound

    answer = outbound.send_test(args.address)
    _out(answer.text)
    return EXIT_FAILURE if answer.permanent or not answer.text.startswith("sent") else 0


def cmd_mail_deliver(args: argparse.Namespace) -> int:
    from frontline.mail import outbound

    _require_migrated()
    counts = outbound.deliver_due()
    _out(", ".join(f"{count} {state}" for state, count in sorted(counts.items()))
         or "Nothing due.")
    return EXIT_FAILURE if counts.get("failed") else 0


def _make_worker(**options: Any) -> Any:
    from frontline.core.worker import FrontlineWorker

    return FrontlineWorker(**options)


def cmd_worker(args: argparse.Namespace) -> int:
    import logging

    if args.interval < 0:
        raise UsageError("--interval cannot be negative.")
    logging.getLogger("frontline").setLevel(logging.INFO)
    worker = _make_worker(interval=args.interval, batch=args.batch,
                          schedule=not args.no_periodic)
    with _on_stop_signals(worker.stop):
        worker.run()
    return 0


@contextmanager
def _on_stop_signals(stop: Callable[[], None]) -> Iterator[None]:
    """Ctrl-C or SIGTERM calls `stop` (finish what is in hand, then leave);
    a second one forces the exit. The previous handlers come back afterwards."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum: int, frame: FrameType | None) -> None:
        for sig in previous:
            signal.signal(sig, signal.SIG_DFL)
        stop()

    for sig in previous:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def follow_served_address(served: str) -> str:
    """The address links in mails point at: FRONTLINE_SITE_URL when it is set (the
    public name behind a proxy), else the one this process serves on, so that
    `make run PORT=8711` mails links to port 8711, not to the default 8000. A worker
    run on its own (`frontline worker`) cannot know the port: set the variable there."""
    from django.conf import settings

    if not os.environ.get("FRONTLINE_SITE_URL", "").strip():
        settings.FRONTLINE_SITE_URL = served
    return str(settings.FRONTLINE_SITE_URL).rstrip("/")


def cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from waitress import create_server

    from frontline.wsgi import application

    port = args.port if args.port is not None else _env_port()
    pending = _pending_migrations()
    if pending:
        _out(f"Applying {pending} database migrations...")
        _migrate(quiet=True)
    logging.getLogger("frontline").setLevel(logging.INFO)
    try:
        server = create_server(application, host=args.host, port=port, threads=args.threads,
                               ident="Frontline")
    except OSError as error:
        raise UsageError(f"Cannot listen on {args.host}:{port}: {error.strerror}.") from None

    host = getattr(server, "effective_host", args.host)
    # Listening on every address: show one that works from this machine.
    shown_host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    site_url = follow_served_address(f"http://{shown_host}:{server.effective_port}")

    worker = None
    worker_thread = None
    if not args.no_worker:
        worker = _make_worker()
        worker_thread = threading.Thread(target=worker.run, name="frontline-worker",
                                         daemon=True)
        worker_thread.start()

    def stop() -> None:
        # Raised in the main thread, inside waitress's loop, which then closes
        # its sockets and lets running requests finish.
        raise SystemExit(0)

    _out(f"Frontline is running at http://{shown_host}:{server.effective_port}/ "
         f"(worker: {'on' if worker else 'off'}). Press Ctrl-C to stop.")
    _out(f"Links in mails point at {site_url}/.")
    try:
        with _on_stop_signals(stop):
            server.run()
    except SystemExit:
        pass
    finally:
        server.close()
        if worker is not None and worker_thread is not None:
            worker.stop()
            worker_thread.join(timeout=30)
    _out("Frontline stopped.")
    return 0


# -- entry point ---------------------------------------------------------------


def _fail(message: str, code: int) -> int:
    # One line, whatever the message (database drivers' errors span several).
    message = " ".join(message.split())
    sys.stderr.write(f"frontline: error: {message}\n")
    sys.stderr.flush()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except UsageError as error:
        return _fail(str(error), EXIT_USAGE)
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)

    try:
        _setup_django()
    except Exception as error:  # settings that cannot load: say which, briefly
        return _fail(f"cannot start: {error}", EXIT_FAILURE)

    from django.db import DatabaseError, OperationalError

    from frontline.core.errors import FrontlineError

    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except UsageError as error:
        return _fail(str(error), EXIT_USAGE)
    except FrontlineError as error:
        return _fail(error.message, EXIT_USAGE)
    except OperationalError as error:
        return _fail(f"the database is not reachable: {str(error).strip()}", EXIT_FAILURE)
    except DatabaseError as error:
        return _fail(f"database error: {str(error).strip()}", EXIT_FAILURE)
    except KeyboardInterrupt:
        return _fail("interrupted.", 130)
    except BrokenPipeError:
        # The reader went away (`frontline ... | head`): not an error worth a traceback.
        # Point stdout at /dev/null so the interpreter's final flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
