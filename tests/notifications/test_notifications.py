"""Staff are told what they should know: one row per person, counted until read."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from frontline.notifications.models import Notification
from frontline.notifications.services import mark_read, notify, unread_count


def test_each_distinct_active_person_is_told_once(bobs_ticket, lena, otto, vera):
    """The same lead named twice, nobody (no lead) and someone who left get no extra rows."""
    vera.is_active = False
    vera.save()
    rows = notify([lena, otto, None, lena, vera, otto], "sla_warning",
                  f"{bobs_ticket.reference} is close to its first response target",
                  ticket=bobs_ticket)
    assert sorted(row.user.username for row in rows) == ["lena", "otto"]
    stored = Notification.objects.filter(ticket=bobs_ticket, kind="sla_warning")
    assert sorted(stored.values_list("user__username", flat=True)) == ["lena", "otto"]


def test_nobody_to_tell_writes_nothing(vera):
    vera.is_active = False
    vera.save()
    assert notify([None, vera], "escalated", "Nobody is told") == []
    assert not Notification.objects.exists()


def test_a_long_sentence_is_cut_to_what_the_row_holds(lena):
    (row,) = notify([lena], "escalated", "x" * 600)
    row.refresh_from_db()
    assert len(row.text) == 500


def test_reading_clears_only_that_persons_unread(lena, otto):
    earlier = timezone.now() - timedelta(hours=1)
    notify([lena, otto], "escalated", "Two for Lena", at=earlier)
    notify([lena], "sla_breach", "And one more")
    assert (unread_count(lena), unread_count(otto)) == (2, 1)

    read_at = timezone.now()
    assert mark_read(lena, at=read_at) == 2
    assert (unread_count(lena), unread_count(otto)) == (0, 1)
    assert set(Notification.objects.filter(user=lena).values_list("read_at", flat=True)) == {
        read_at}
    assert mark_read(lena) == 0


def test_notifications_keep_the_table_core_created():
    """The model moved from core without moving rows: databases migrated before the
    move already hold them in core_notification (see migrations/0001_initial.py)."""
    assert Notification._meta.db_table == "core_notification"
    assert [index.name for index in Notification._meta.indexes] == ["notification_user"]
