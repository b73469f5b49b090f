"""`frontline demo`: a believable desk, loaded once however often it is run."""

from __future__ import annotations

from django.db.models import Count

from frontline.cli import main
from frontline.core.models import User
from frontline.customers.models import Contact, Organization, Plan, Version
from frontline.insights import alerts
from frontline.notifications.models import Notification
from frontline.tickets.models import Event, Message, Status, Ticket


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (User, Organization, Contact, Plan, Version, Ticket, Message, Event)}


def test_demo_loads_once_and_prints_the_logins(db, capsys):
    assert main(["demo", "--tickets", "40"]) == 0
    first = capsys.readouterr().out
    loaded = counts()
    assert "Demo data loaded" in first
    assert "43 tickets" in first  # the history's 40 and the regression's 3
    for username in ("ada", "lena", "otto", "dana", "vera"):
        assert f"  {username} " in first
    assert User.objects.get(username="lena").check_password("frontline")

    assert main(["demo", "--tickets", "40"]) == 0
    second = capsys.readouterr().out
    assert "already loaded" in second
    assert counts() == loaded


def test_demo_history_has_plans_tiers_and_varied_statuses(db, capsys):
    assert main(["demo", "--tickets", "60"]) == 0
    assert Ticket.objects.count() == 63
    assert set(Plan.objects.values_list("slug", flat=True)) >= {
        "standard", "premium", "enterprise"}
    assert Plan.objects.get(is_default=True).slug == "standard"
    assert {(u.username, u.role, u.tier) for u in User.objects.all()} == {
        ("ada", "admin", 3), ("lena", "agent", 1), ("otto", "agent", 2),
        ("dana", "developer", 3), ("vera", "viewer", 1)}
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert Status.CLOSED in statuses
    assert len(statuses & {Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER,
                           Status.PENDING_INTERNAL, Status.RESOLVED}) >= 2
    assert set(Ticket.objects.values_list("tier", flat=True)) == {1, 2, 3}
    # Every ticket has a timeline, and it never runs backwards or into the future.
    assert not Ticket.objects.annotate(n=Count("events")).filter(n=0).exists()
    for ticket in Ticket.objects.all()[:20]:
        times = [e.at for e in ticket.events.all()]
        assert times == sorted(times)
        assert times[0] == ticket.created_at
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"created", "first_response", "escalated", "assigned", "status_changed"} <= kinds
    # Closed tickets closed the way the rules allow: confirmed or after the quiet period.
    reasons = {e.detail.get("reason", "") for e in Event.objects.filter(
        kind="status_changed", after=Status.CLOSED)}
    assert any(r.startswith("No reply for") for r in reasons)
    # The history's notifications (escalations to teams) count as read.
    assert Notification.objects.exists()
    # Only the regression (frontline.demo.regression) is news: its alert to the admins,
    # and its three tickets to whoever the rules gave them.
    unread = Notification.objects.filter(read_at__isnull=True)
    assert set(unread.values_list("kind", flat=True)) <= {"alert_raised", "assigned"}
    assert {n.user.username for n in unread.filter(kind="alert_raised")} == {"ada"}
    assert unread.filter(kind="assigned").count() <= 3


def test_demo_insights_show_the_regression_and_who_is_at_risk(db, capsys):
    assert main(["demo", "--tickets", "40"]) == 0
    ada = User.objects.get(username="ada")
    found = [view for view in alerts.list_alerts(ada) if "exp-4471" in view.alert.title.lower()]
    assert len(found) == 1
    view = found[0]
    assert sorted(o.name for o in view.organizations) == [
        "Globex Corporation", "Northwind Traders", "Wayne Analytics"]
    assert view.explains[0].key == "version" and view.explains[0].value == "Atlas Server 4.2.1"
    assert [(risk.organization.name, risk.version) for risk in view.at_risk] == [
        ("Umbrella Health", "Atlas Server 4.1")]
