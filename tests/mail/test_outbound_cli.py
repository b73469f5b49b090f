"""`frontline mail send-test` and `frontline mail deliver`: an admin checks the mail
settings and sends what is due, from the command line."""

from __future__ import annotations

from frontline import workflow
from frontline.cli import main


def test_send_test_mails_the_address_and_says_where_it_went(db, capsys, smtp_sink):
    assert main(["mail", "send-test", "ada@frontline.test"]) == 0
    out = capsys.readouterr().out
    assert f"sent to ada@frontline.test through SMTP 127.0.0.1:{smtp_sink.port}" in out
    [mail] = smtp_sink.messages()
    assert mail["Subject"] == "Frontline test mail" and mail["To"] == "ada@frontline.test"


def test_send_test_prints_the_servers_refusal(db, capsys, smtp_sink):
    smtp_sink.answer("554 5.7.1 Relay access denied")
    assert main(["mail", "send-test", "ada@frontline.test"]) == 1
    assert "554 5.7.1 Relay access denied" in capsys.readouterr().out


def test_deliver_sends_what_is_due(capsys, smtp_sink, alices_ticket, lena):
    workflow.add_reply(alices_ticket, lena, "Hello from the CLI")
    assert main(["mail", "deliver"]) == 0
    assert capsys.readouterr().out.strip() == "1 sent"
    assert len(smtp_sink.delivered) == 1
