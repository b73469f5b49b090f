"""Colleagues named in an internal note are told; those who may not see the ticket
are remembered as not told, so the writer learns it; assignment tells the new owner."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from frontline import workflow
from frontline.mail.staff_notices import send_notices
from frontline.notifications import services as notifications
from frontline.notifications.mentions import mentionable, parse
from frontline.notifications.models import Mention, Notification
from tests.factories import UserFactory


@pytest.mark.parametrize(("text", "names"), [
    ("@otto can you look at the token cache?", ["otto"]),
    ("Asked @lena and @otto.", ["lena", "otto"]),
    ('Bitte @"Otto Level-Two" prüfen, danke.', ["Otto Level-Two"]),
    ('@"  Dana   Developer " knows the export code', ["Dana Developer"]),
    ("Customer wrote from bob@standard.example, not a mention", []),
    ("ping @dana, @ada; and @ada again", ["dana", "ada", "ada"]),
    ("@ alone, @\"\" empty and a price of 3@5 are nothing", []),
    ("Ask @otto@lena.example together: an address after a name", ["otto"]),
    ("Mitarbeiter @jörg.müller hat Zugriff", ["jörg.müller"]),
])
def test_mentions_are_read_from_the_text(text, names):
    found = parse(text)
    assert [named.username or named.full_name for named in found] == names
    for named in found:
        assert text[named.start] == "@"


@given(st.text(max_size=300))
def test_any_text_parses_and_every_mention_starts_at_an_at_sign(text):
    for named in parse(text):
        assert text[named.start] == "@"
        assert named.start < named.end <= len(text)
        assert bool(named.username) != bool(named.full_name)


def test_a_mentioned_colleague_is_told_and_the_writer_is_not(lenas_ticket, lena, otto):
    note = workflow.add_note(lenas_ticket, lena, "@otto the customer runs 4.2 on Oracle; "
                                                 "can you check? cc @lena")
    assert list(Mention.objects.filter(message=note).values_list(
        "user__username", "notified")) == [("otto", True)]
    [told] = Notification.objects.filter(kind="mention")
    assert told.user == otto
    assert told.ticket_id == lenas_ticket.pk
    assert told.text.startswith(f"Lena Level-One mentioned you on {lenas_ticket.reference}")
    assert not Notification.objects.filter(user=lena, kind="mention").exists()


def test_a_full_name_in_quotes_names_the_person(lenas_ticket, lena, otto):
    workflow.add_note(lenas_ticket, lena, 'Übergabe an @"otto level-two", bitte heute noch.')
    assert Notification.objects.get(kind="mention").user == otto


def test_someone_who_may_not_see_the_ticket_is_remembered_as_not_told(lenas_ticket, lena,
                                                                      dana, otto):
    """Dana works tier 3 and the ticket is at tier 1: she is not told, and the note
    keeps her mention as not notified so the timeline can say so."""
    note = workflow.add_note(lenas_ticket, lena, "@dana could this be the known export bug? "
                                                 "@otto FYI")
    stored = dict(Mention.objects.filter(message=note).values_list("user__username",
                                                                   "notified"))
    assert stored == {"dana": False, "otto": True}
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["otto"]


def test_names_that_match_nobody_and_people_who_left_are_not_told(lenas_ticket, lena):
    gone = UserFactory(username="marta", first_name="Marta", last_name="Gone")
    gone.is_active = False
    gone.save()
    note = workflow.add_note(lenas_ticket, lena, "@nobody-here and @marta, see above")
    assert list(Mention.objects.filter(message=note).values_list(
        "user__username", "notified")) == [("marta", False)]
    assert not Notification.objects.exists()


def test_two_people_sharing_a_full_name_are_not_guessed(lenas_ticket, lena):
    UserFactory(username="sam1", first_name="Sam", last_name="Lee")
    UserFactory(username="sam2", first_name="Sam", last_name="Lee")
    note = workflow.add_note(lenas_ticket, lena, 'Which @"Sam Lee" was on call?')
    assert not Mention.objects.filter(message=note).exists()


def test_the_composer_offers_staff_who_may_see_the_ticket(lenas_ticket, lena, otto, dana,
                                                         ada, vera):
    assert [u.username for u in mentionable(lenas_ticket, "")] == ["ada", "lena", "otto",
                                                                   "vera"]
    assert [u.username for u in mentionable(lenas_ticket, "OT")] == ["otto"]
    assert [u.username for u in mentionable(lenas_ticket, "level")] == ["lena", "otto"]
    assert mentionable(lenas_ticket, "dana") == []


def test_assigning_tells_the_new_owner_but_not_who_took_it(bobs_ticket, lena, otto):
    workflow.assign(bobs_ticket, lena, lena)
    assert not Notification.objects.exists()
    workflow.assign(bobs_ticket, lena, "otto")
    [told] = Notification.objects.all()
    assert (told.user, told.kind) == (otto, "assigned")
    assert told.text == (f"Lena Level-One assigned {bobs_ticket.reference} to you: "
                         f"{bobs_ticket.subject}")
    workflow.assign(bobs_ticket, lena, otto)  # no change: nothing new
    assert Notification.objects.count() == 1


def test_only_those_who_opted_in_get_a_mail_queued(lenas_ticket, lena, otto, ada,
                                                   django_capture_on_commit_callbacks):
    notifications.set_mail_preference(otto, True)
    notifications.set_mail_preference(ada, False)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_note(lenas_ticket, lena, "@otto and @ada: the customer is upset")
    [queued] = DBTaskResult.objects.all()
    [otto_note] = Notification.objects.filter(user=otto)
    assert queued.args_kwargs["args"] == [[otto_note.pk]]


def test_nothing_is_queued_without_an_opt_in(lenas_ticket, lena, otto,
                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_note(lenas_ticket, lena, "@otto please check")
    assert not DBTaskResult.objects.exists()


def test_the_mail_names_the_ticket_and_its_link(smtp_sink, settings, lenas_ticket, lena, otto):
    settings.FRONTLINE_SITE_URL = "https://support.example.org/"
    workflow.add_note(lenas_ticket, lena, "@otto schau bitte mal")
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert send_notices(ids) == 1
    [mail] = smtp_sink.messages()
    assert mail["To"] == otto.email
    assert mail["Auto-Submitted"] == "auto-generated"
    assert lenas_ticket.reference in mail["Subject"]
    body = mail.get_body().get_content()
    assert f"https://support.example.org/t/{lenas_ticket.reference}" in body


def test_a_person_without_a_valid_address_gets_no_mail(smtp_sink, lenas_ticket, lena, otto):
    otto.email = "not an address"
    otto.save()
    workflow.assign(lenas_ticket, lena, otto)
    assert send_notices(list(Notification.objects.values_list("pk", flat=True))) == 0
    assert smtp_sink.messages() == []


def test_the_list_pages_newest_first_and_filters(lenas_ticket, lena, otto):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(days=3)
    for minute in range(7):
        notifications.notify([otto], "sla_warning" if minute % 2 else "escalated",
                             f"Note {minute}", ticket=lenas_ticket,
                             at=start + timedelta(minutes=minute))
    workflow.assign(lenas_ticket, lena, otto)
    first = notifications.notifications_page(otto, limit=3)
    assert [row.text for row in first.rows][1:] == ["Note 6", "Note 5"]
    second = notifications.notifications_page(otto, limit=3, cursor=first.next_cursor)
    assert [row.text for row in second.rows] == ["Note 4", "Note 3", "Note 2"]
    warnings = notifications.notifications_page(otto, kind="sla_warning")
    assert [row.text for row in warnings.rows] == ["Note 5", "Note 3", "Note 1"]
    Notification.objects.filter(text__in=["Note 6", "Note 0"]).update(read_at=timezone.now())
    unread = notifications.notifications_page(otto, unread_only=True, kind="escalated")
    assert [row.text for row in unread.rows] == ["Note 4", "Note 2"]


def test_a_team_handing_out_tickets_tells_whom_it_chose(bob):
    """Round robin gives arriving tickets to Ines, then Jun: each is told, as the
    system (nobody chose by hand)."""
    from frontline.routing import ruleset
    from frontline.routing.models import Assignment, RoutingRule
    from tests.factories import TeamFactory

    ruleset.clear_cache()
    ines = UserFactory(username="ines", first_name="Ines", last_name="Duarte")
    jun = UserFactory(username="jun", first_name="Jun", last_name="Tanaka")
    team = TeamFactory(name="Onboarding", tier=1, assignment=Assignment.ROUND_ROBIN)
    team.members.add(ines, jun)
    RoutingRule.objects.create(name="All to Onboarding", set_team=team)
    try:
        first = workflow.open_ticket(requester_email="bob@standard.example",
                                     subject="Neue Benutzer anlegen", body="Wie geht das?")
        second = workflow.open_ticket(requester_email="bob@standard.example",
                                      subject="SSO setup", body="Which IdPs do you support?")
    finally:
        ruleset.clear_cache()
    told = {row.user.username: row for row in Notification.objects.filter(kind="assigned")}
    assert set(told) == {first.assignee.username, second.assignee.username} == {"ines", "jun"}
    assert told[first.assignee.username].text.startswith(
        f"Automatic assignment assigned {first.reference} to you")
