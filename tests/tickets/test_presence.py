"""Who else has a ticket open, and who is typing (issue 12): beats expire after
30 seconds, typing after 10, and a person never sees themselves."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from frontline.tickets.models import TicketPresence
from frontline.tickets.services import presence


def names(ticket, user, at):
    return [(person.username, typing)
            for person, typing in presence.others_here(ticket, user, at=at)]


def test_lena_sees_otto_and_otto_sees_lena_but_nobody_themselves(lena, otto, bobs_ticket):
    now = timezone.now()
    presence.beat(bobs_ticket, lena, at=now)
    presence.beat(bobs_ticket, otto, typing=True, at=now + timedelta(seconds=2))
    assert names(bobs_ticket, lena, now + timedelta(seconds=3)) == [("otto", True)]
    assert names(bobs_ticket, otto, now + timedelta(seconds=3)) == [("lena", False)]


def test_a_page_that_stops_beating_drops_out_after_30_seconds(lena, otto, bobs_ticket):
    now = timezone.now()
    presence.beat(bobs_ticket, otto, at=now)
    assert names(bobs_ticket, lena, now + timedelta(seconds=29)) == [("otto", False)]
    assert names(bobs_ticket, lena, now + timedelta(seconds=31)) == []


def test_typing_lasts_ten_seconds_and_an_idle_beat_does_not_end_it(lena, otto, bobs_ticket):
    now = timezone.now()
    presence.beat(bobs_ticket, otto, typing=True, at=now)
    presence.beat(bobs_ticket, otto, at=now + timedelta(seconds=5))  # his other, idle tab
    assert names(bobs_ticket, lena, now + timedelta(seconds=9)) == [("otto", True)]
    presence.beat(bobs_ticket, otto, at=now + timedelta(seconds=12))
    assert names(bobs_ticket, lena, now + timedelta(seconds=12)) == [("otto", False)]


def test_beats_keep_one_row_per_person_and_ticket(lena, otto, bobs_ticket, alices_ticket):
    now = timezone.now()
    for second in range(0, 25, 5):
        presence.beat(bobs_ticket, otto, typing=second % 10 == 0,
                      at=now + timedelta(seconds=second))
    presence.beat(alices_ticket, otto, at=now)
    assert TicketPresence.objects.filter(user=otto).count() == 2


def test_stale_rows_are_deleted_by_the_next_beat(lena, otto, dana, bobs_ticket, alices_ticket):
    long_ago = timezone.now() - timedelta(minutes=5)
    presence.beat(alices_ticket, dana, at=long_ago)
    presence.beat(bobs_ticket, otto, at=long_ago)
    presence.beat(bobs_ticket, lena)
    assert list(TicketPresence.objects.values_list("user__username", flat=True)) == ["lena"]


def test_leaving_is_seen_at_once(lena, otto, bobs_ticket):
    now = timezone.now()
    presence.beat(bobs_ticket, otto, at=now)
    presence.leave(bobs_ticket, otto)
    assert names(bobs_ticket, lena, now) == []
