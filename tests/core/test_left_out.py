""""Show quoted text" unfolds what the reply left out, not the whole message again
(issue 12): the signature and the quoted history under a top-posted reply; the whole
message only where the sender answered between the quoted lines."""

from __future__ import annotations

import pytest

from frontline.core.quotes import extract_reply, left_out

TOP_POSTED = [
    ("Hallo,\n\ndas Problem besteht weiter.\n\nGruß\nBob\n-- \nBob Standard\nInitech\n\n"
     "Am 3. März 2026 um 10:14 schrieb Support <support@example.com>:\n"
     "> Bitte leeren Sie den Cache.\n> Danke", "Bitte leeren Sie den Cache."),
    ("Still failing after the restart, see attached log.\n\n"
     "On Tue, Mar 3, 2026 at 4:02 PM Frontline Support <help@frontline.example> wrote:\n"
     "> Could you restart the indexing service?\n>\n> Best, Lena", "restart the indexing"),
    ("Bonjour,\nc'est réglé, merci !\n\nLe mer. 4 mars 2026 à 08:30, Support "
     "<support@example.fr> a écrit :\n> Pouvez-vous vérifier la version ?",
     "Pouvez-vous vérifier la version ?"),
    ("Funciona ahora.\n\nEnviado desde mi iPhone\n\nEl 5 mar 2026, a las 11:00, Soporte "
     "<soporte@example.es> escribió:\n> ¿Ha reiniciado el servidor?", "reiniciado el servidor"),
]


@pytest.mark.parametrize("text, quoted", TOP_POSTED)
def test_under_a_top_posted_reply_only_the_history_unfolds(text, quoted):
    reply = extract_reply(text)
    hidden, whole = left_out(text)
    assert not whole and quoted in hidden
    # The reply is not repeated in the fold: its first line is not in it.
    first_line = reply.splitlines()[0]
    assert first_line not in hidden
    # Nothing is lost: every non-empty line of the mail is in the reply or the fold.
    for line in text.splitlines():
        if line.strip() and line.strip() != "--":
            assert line.strip() in reply or line.strip() in hidden, line


def test_answers_between_quoted_lines_unfold_as_the_whole_message():
    text = ("On Mon, 2 Mar 2026 at 09:00, Support <s@example.org> wrote:\n"
            "> Which version do you run?\n4.2.1\n> Which OS?\nUbuntu 22.04 LTS")
    hidden, whole = left_out(text)
    assert whole and hidden == text


def test_a_message_without_history_has_nothing_to_unfold():
    assert left_out("Danke, alles klar.\r\nGrüße aus Köln") == ("", False)
