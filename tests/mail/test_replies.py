# ruff: noqa: RUF001  (non-Latin punctuation and letters are what these tests check)
"""The new reply, separated from quoted history and signatures, for each client and language."""

from __future__ import annotations

import pytest

from frontline.core.quotes import extract_reply


def test_gmail_reply_stops_at_a_wrapped_attribution(mail):
    parsed = mail("gmail_reply_en.eml")
    assert parsed.reply == (
        "Hi Lena,\n\nThanks, the export works again after the update. The only thing left "
        "is the\ndate column, which still shows UTC instead of our time zone.\n\nBest,\nJane"
    )
    assert "We have released version 4.2.1" in parsed.text  # the full text keeps the history


def test_outlook_reply_stops_at_the_from_sent_block(mail):
    reply = mail("outlook_reply_en.eml").reply
    assert reply.startswith("Hello,\n\nthe licence server still refuses our new key.")
    assert reply.endswith("+1 555 0100")
    assert "Dear Peter" not in reply and "____" not in reply


def test_exchange_reply_stops_at_original_message(mail):
    assert mail("exchange_original_message.eml").reply == (
        "It happened again last night, log file below."
    )


def test_apple_mail_reply_drops_the_quoted_lines(mail):
    assert mail("apple_mail_reply.eml").reply == (
        "Yes, that fixed it. You can close the ticket.\n\nThanks a lot!\nMarie"
    )


def test_thunderbird_reply_drops_the_dash_dash_signature(mail):
    reply = mail("thunderbird_reply_flowed.eml").reply
    assert reply.endswith("Regards\nTom")
    assert "Initech Operations" not in reply


def test_iphone_reply_drops_sent_from_my_iphone(mail):
    assert mail("iphone_reply.eml").reply == (
        "Still broken on my side, I\u2019ll send the logs from the office."
    )


def test_outlook_mobile_reply_drops_get_outlook_and_history(mail):
    assert mail("outlook_mobile_reply.eml").reply == (
        "It dropped again at 11:00 sharp, same as yesterday."
    )


def test_bottom_posted_answers_between_quotes_are_kept(mail):
    assert mail("bottom_posted_reply.eml").reply == (
        "An HP LaserJet 4250, firmware 08.160.4.\n\nSince Monday's update."
    )


def test_inline_forward_keeps_only_the_note(mail):
    assert mail("forward_inline_gmail.eml").reply == "FYI, this is what our user reported."


def test_html_only_outlook_reply_drops_the_quoted_block(mail):
    parsed = mail("html_only_outlook_reply.eml")
    assert parsed.reply == "The new version crashes at start-up on Windows 11.\nRegards, Ken"
    assert "Please install version 6" in parsed.text


@pytest.mark.parametrize(
    ("name", "first_line", "last_line", "quoted"),
    [
        ("reply_de_gmail.eml", "Hallo Frau Schmidt,", "Jürgen Müller", "Könnten Sie"),
        ("reply_de_outlook.eml", "Guten Tag,", "Sabine Weber", "anbei die neue Lizenz"),
        ("reply_fr.eml", "Bonjour,", "Renée", "Pouvez-vous"),
        ("reply_es.eml", "Hola,", "José", "Hemos corregido"),
        ("reply_it.eml", "Buongiorno,", "Giulia", "Può riprovare"),
        ("reply_nl.eml", "Hallo,", "Daan", "Kunt u de app"),
        ("reply_pt.eml", "Olá,", "João", "Pode gerar"),
        ("reply_pl.eml", "Dzień dobry,", "Paweł Zieliński", "Proszę spróbować"),
        ("reply_ru.eml", "Здравствуйте,", "Лев", "Попробуйте"),
        ("reply_sv.eml", "Hej,", "Åsa", "Kan du starta om"),
        ("reply_zh.eml", "您好，", "谢谢", "请再试一次"),
        ("reply_zh_outlook.eml", "您好，", "王芳", "请提供截图"),
    ],
)
def test_reply_in_each_language_stops_at_its_separator(mail, name, first_line, last_line, quoted):
    parsed = mail(name)
    lines = parsed.reply.split("\n")
    assert lines[0] == first_line
    assert lines[-1] == last_line
    assert quoted not in parsed.reply
    assert quoted in parsed.text


def test_an_attribution_like_sentence_in_the_customers_own_text_is_kept():
    text = "As the manual wrote:\nrestart the service first.\n\nThanks"
    assert extract_reply(text) == text


def test_a_sentence_just_above_the_attribution_is_not_swallowed():
    text = ("the report is still empty.\n"
            "On Tue, Mar 3, 2026 at 10:12 AM Lena <\nsupport@frontline.example> wrote:\n> x")
    assert extract_reply(text) == "the report is still empty."


def test_a_from_line_without_a_header_block_is_the_customers_text():
    text = "From: the logs I can see the job starts twice.\nRegards"
    assert extract_reply(text) == text


def test_a_message_that_is_only_a_quote_keeps_its_text_rather_than_showing_nothing():
    text = "> only quoted\n> lines here"
    assert extract_reply(text) == text


@pytest.mark.parametrize(
    "signature",
    ["Von meinem iPhone gesendet", "Envoyé de mon iPhone", "Enviado desde mi iPhone",
     "Inviato da iPhone", "Verzonden vanaf mijn iPhone", "Enviado do meu iPhone",
     "Wysłane z iPhone'a", "Отправлено с iPhone", "Skickat från min iPhone",
     "发自我的iPhone", "Sent from my Galaxy", "Get Outlook for iOS"],
)
def test_mobile_signatures_in_each_language_are_dropped(signature):
    assert extract_reply(f"It works now.\n\n{signature}") == "It works now."


def html_mail(html: str) -> bytes:
    return ("From: x@example.org\nSubject: Re: y\nContent-Type: text/html; charset=utf-8\n\n"
            + html).encode()


def test_gmail_html_only_reply_drops_the_gmail_quote():
    from frontline.mail.parse import parse_message

    parsed = parse_message(html_mail(
        '<div dir="ltr">Works now, thanks!</div><br><div class="gmail_quote">'
        '<div class="gmail_attr">On Tue, Mar 3, 2026 Lena wrote:</div>'
        '<blockquote class="gmail_quote">Try again?</blockquote></div>'))
    assert parsed.reply == "Works now, thanks!"
    assert "Try again?" in parsed.text


def test_thunderbird_html_only_reply_drops_cite_prefix_and_blockquote():
    from frontline.mail.parse import parse_message

    parsed = parse_message(html_mail(
        '<p>Still failing on build 812.</p><div class="moz-cite-prefix">On 03.03.26 16:20, '
        'Support wrote:<br></div><blockquote type="cite">Please update.</blockquote>'))
    assert parsed.reply == "Still failing on build 812."
