"""IMAP mailboxes against a real dovecot, started by these tests: fetched by UID,
never by the Seen flag, one broken message never blocks the rest, and a mailbox
that fails says so on the settings page and recovers by itself."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from frontline.cli import main
from frontline.core import scheduler
from frontline.core.errors import InvalidInput, NotAllowed
from frontline.mail import imap
from frontline.mail.models import InboundMail, Mailbox
from tests.processes import free_port

pytestmark = pytest.mark.django_db

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "frontline", "imap secret"



@dataclass
class Dovecot:
    """A dovecot of our own: its config, mail and sockets in a temp dir."""

    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"imap://{USER}:imap%20secret@127.0.0.1:{self.port}/INBOX"

    def start(self) -> None:
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.root / "dovecot.log")
                raise RuntimeError("dovecot did not start: "
                                   + self.process.stderr.read().decode()  # type: ignore[union-attr]
                                   + (log.read_text() if log.exists() else ""))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not answer in 15 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, raw: bytes, folder: str = "INBOX", flags: str | None = None) -> int:
        """APPEND a mail, as a mail server would deliver it; returns its UID."""
        client = self.client()
        try:
            status, data = client.append(folder, flags, None, raw)
            assert status == "OK", data
            return int(data[0].split(b"APPENDUID ")[1].split(b" ")[1].rstrip(b"]"))
        finally:
            client.logout()

    def flags(self, uid: int, folder: str = "INBOX") -> bytes:
        client = self.client()
        try:
            client.select(folder, readonly=True)
            _, data = client.uid("FETCH", str(uid), "(FLAGS)")
            return data[0]
        finally:
            client.logout()


def _write_config(root: Path, port: int) -> None:
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        ids = f"uid={nobody.pw_uid} gid={nobody.pw_gid}"
        users = "default_login_user = dovenull\ndefault_internal_user = dovecot\n"
    else:  # an unprivileged dovecot runs every process as the user who started it
        me = pwd.getpwuid(os.geteuid())
        ids = f"uid={me.pw_uid} gid={me.pw_gid}"
        users = (f"default_login_user = {me.pw_name}\ndefault_internal_user = {me.pw_name}\n"
                 f"default_internal_group = {me.pw_name}\n")
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    (root / "dovecot.conf").write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = frontline-test-{port}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
{users}
mail_location = maildir:{root}/mail/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = {ids} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if not os.path.exists(DOVECOT):
        if os.environ.get("CI"):
            pytest.fail("dovecot is missing on CI: .ci/run installs dovecot-imapd")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)")
    # Not pytest's tmp_path: its parents are private to us, and dovecot's mail
    # processes run as another user who must reach the mail folder.
    root = Path(tempfile.mkdtemp(prefix="fl-dovecot-"))
    os.chmod(root, 0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    os.chmod(root / "mail", 0o777)
    server = Dovecot(root=root, port=free_port())
    _write_config(root, server.port)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def mail(number: int, *, size: int = 0) -> bytes:
    return (f"From: Bob Standard <bob@standard.example>\r\n"
            f"To: support@frontline.localhost\r\n"
            f"Subject: Question {number}\r\n"
            f"Message-ID: <imap-{number}@standard.example>\r\n"
            f"Date: Tue, 24 Nov 2026 10:{number:02d}:00 +0000\r\n"
            f"\r\n"
            f"Hello, this is question {number}.\r\n").encode() + b"x" * size


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Mailbox:
    return imap.add_mailbox(dovecot.url, name="support")


def test_new_mail_is_fetched_by_uid_and_left_unread(dovecot, mailbox):
    first = dovecot.deliver(mail(1))
    second = dovecot.deliver(mail(2))
    result = imap.poll_mailbox(mailbox.pk)
    assert (result.error, result.stored, result.already_there) == ("", 2, 0)
    stored = InboundMail.objects.order_by("pk")
    assert [m.header_message_id for m in stored] == ["imap-1@standard.example",
                                                     "imap-2@standard.example"]
    assert {m.source for m in stored} == {"imap"}
    assert stored[0].source_detail == f"support UID {first}"
    # BODY.PEEK and a read-only EXAMINE: the customer's mailbox still shows them unread.
    assert b"\\Seen" not in dovecot.flags(first)
    mailbox.refresh_from_db()
    assert mailbox.last_uid == second and mailbox.uidvalidity
    assert mailbox.polling_until is None and mailbox.last_polled_at is not None

    # The next poll asks only for what came after, and gets the new one.
    dovecot.deliver(mail(3))
    result = imap.poll_mailbox(mailbox.pk)
    assert (result.stored, result.already_there) == (1, 0)
    assert InboundMail.objects.count() == 3


def test_mail_another_client_already_read_is_still_fetched(dovecot, mailbox):
    """Fetching by the Unseen flag would lose this one."""
    uid = dovecot.deliver(mail(1), flags="(\\Seen)")
    assert b"\\Seen" in dovecot.flags(uid)
    assert imap.poll_mailbox(mailbox.pk).stored == 1


def test_a_changed_uidvalidity_reads_the_folder_again_without_duplicates(dovecot, mailbox):
    dovecot.deliver(mail(1))
    dovecot.deliver(mail(2))
    imap.poll_mailbox(mailbox.pk)
    # The server renumbered the folder (restored from backup, recreated, migrated):
    # what we remember no longer matches it.
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=12345, last_uid=99)
    dovecot.deliver(mail(3))
    result = imap.poll_mailbox(mailbox.pk)
    assert (result.stored, result.already_there) == (1, 2)
    assert InboundMail.objects.count() == 3
    mailbox.refresh_from_db()
    assert mailbox.uidvalidity != 12345 and mailbox.last_uid == 3


def test_a_broken_message_is_recorded_and_skipped_and_the_rest_comes_in(dovecot, mailbox):
    dovecot.deliver(mail(1))
    broken = dovecot.deliver(b"\r\n\r\n")  # nothing in it at all
    dovecot.deliver(mail(3))
    result = imap.poll_mailbox(mailbox.pk)
    assert result.error == ""
    assert result.stored == 2 and result.skipped == [broken]
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 3
    assert [(s["uid"], s["error"]) for s in mailbox.skipped_uids] == [
        (broken, "The mail is empty.")]
    # It is not tried again at every poll, and does not stop the next mail either.
    dovecot.deliver(mail(4))
    assert imap.poll_mailbox(mailbox.pk).stored == 1


def test_a_failing_mailbox_shows_its_error_and_recovers_by_itself(dovecot, mailbox, ada):
    dovecot.deliver(mail(1))
    dovecot.stop()
    result = imap.poll_mailbox(mailbox.pk)
    assert "refused the connection" in result.error
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.error and mailbox.last_error_at is not None
    assert mailbox.polling_until is None  # the lease is given back, even on failure

    client = Client()
    client.force_login(ada)
    page = client.get("/settings/mail").content.decode()
    assert "failing" in page and "refused the connection" in page

    dovecot.start()
    result = imap.poll_mailbox(mailbox.pk)
    assert (result.error, result.stored) == ("", 1)
    mailbox.refresh_from_db()
    assert mailbox.last_error == "" and mailbox.last_error_at is None
    assert "refused the connection" not in client.get("/settings/mail").content.decode()


def test_a_wrong_password_is_the_mailbox_error(dovecot):
    box = imap.add_mailbox(dovecot.url.replace("imap%20secret", "wrong"), name="typo")
    result = imap.poll_mailbox(box.pk)
    assert "AUTHENTICATIONFAILED" in result.error or "Authentication failed" in result.error
    assert InboundMail.objects.count() == 0


def test_two_workers_never_poll_one_mailbox_at_once(dovecot, mailbox):
    dovecot.deliver(mail(1))
    now = timezone.now()
    assert imap.claim(mailbox.pk, now) is True
    # A second worker arriving meanwhile finds it taken, and touches nothing.
    result = imap.poll_mailbox(mailbox.pk)
    assert result.claimed is False and result.stored == 0
    assert mailbox.pk not in imap.due_mailbox_ids()
    assert InboundMail.objects.count() == 0
    # A worker that died holds it only until its lease runs out.
    Mailbox.objects.filter(pk=mailbox.pk).update(polling_until=now - timedelta(seconds=1))
    assert imap.poll_mailbox(mailbox.pk).stored == 1


def test_the_worker_polls_every_enabled_mailbox_periodically(dovecot, mailbox):
    from django_tasks_db.models import DBTaskResult

    from frontline.mail.tasks.polling import poll_mailbox_task, poll_mailboxes

    Mailbox.objects.create(name="paused", url=dovecot.url, enabled=False)
    assert "mail.poll_mailboxes" in scheduler.jobs()
    assert poll_mailboxes.call() == 1
    queued = DBTaskResult.objects.filter(task_path=poll_mailbox_task.module_path)
    assert [row.args_kwargs["args"] for row in queued] == [[mailbox.pk]]
    dovecot.deliver(mail(1))
    assert poll_mailbox_task.call(mailbox.pk)["stored"] == 1


@pytest.mark.parametrize(("url", "expected"), [
    ("http://user:pw@host/INBOX", "starts with imaps://"),
    ("imaps://host/INBOX", "needs a user and a password"),
    ("imaps://user:pw@:993/INBOX", "names no server"),
    ("imaps://user:pw@host:99999/INBOX", "is not a mailbox URL"),
])
def test_a_bad_mailbox_url_says_what_is_wrong(db, url, expected):
    with pytest.raises(InvalidInput) as refused:
        imap.add_mailbox(url)
    assert expected in refused.value.message and refused.value.field == "url"
    assert Mailbox.objects.count() == 0


def test_only_admins_add_mailboxes(db, lena):
    with pytest.raises(NotAllowed):
        imap.add_mailbox("imaps://u:p@imap.example.com/INBOX", actor=lena)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_mailbox_commands(db, capsys):
    code, out, _ = run(capsys, "mail", "mailbox", "add",
                       "imaps://help%40acme.example:s3cret@imap.acme.example/Support")
    assert code == 0
    assert "Added mailbox 'help@acme.example@imap.acme.example/Support'" in out
    assert "s3cret" not in out
    code, out, _ = run(capsys, "mail", "mailbox", "add", "imaps://u:p@other.example/INBOX",
                       "--name", "other")
    code, out, _ = run(capsys, "mail", "mailbox", "list")
    assert code == 0 and "s3cret" not in out
    assert "imaps://help@acme.example@imap.acme.example:993/Support" in out
    assert out.index("help@acme") < out.index("other\t")
    code, out, err = run(capsys, "mail", "mailbox", "add", "imaps://u:p@x.example/INBOX",
                         "--name", "other")
    assert code == 2 and "There is already a mailbox named 'other'." in err
    code, out, _ = run(capsys, "mail", "mailbox", "remove", "other")
    assert code == 0 and "Removed mailbox 'other'" in out
    code, _, err = run(capsys, "mail", "mailbox", "remove", "other")
    assert code == 2 and "There is no mailbox 'other'." in err
    code, _, err = run(capsys, "mail", "mailbox", "add", "pop3://u:p@x.example/")
    assert code == 2 and err.count("\n") == 1 and "imaps://" in err


def test_mailbox_poll_command_reports_each_mailbox(dovecot, mailbox, capsys):
    dovecot.deliver(mail(1))
    code, out, _ = run(capsys, "mail", "mailbox", "poll")
    assert code == 0 and "support: 1 new, 0 already there." in out
