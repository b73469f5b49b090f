"""One place decides who may see and change what."""

from __future__ import annotations

from frontline import workflow
from frontline.core import permissions
from frontline.tickets.models import Ticket


def test_roles_on_a_tier_one_ticket(bobs_ticket, ada, lena, otto, dana, vera):
    seen = {u.username: permissions.can_view_ticket(u, bobs_ticket)
            for u in (ada, lena, otto, dana, vera)}
    changed = {u.username: permissions.can_change_ticket(u, bobs_ticket)
               for u in (ada, lena, otto, dana, vera)}
    assert seen == {"ada": True, "lena": True, "otto": True, "dana": False, "vera": True}
    assert changed == {"ada": True, "lena": True, "otto": True, "dana": False, "vera": False}


def test_developer_sees_only_escalated_tickets(bobs_ticket, alices_ticket, otto, dana):
    workflow.set_tier(alices_ticket, otto, 3, reason="Needs tier 3")
    visible = permissions.visible_tickets(dana, Ticket.objects.all())
    assert list(visible) == [alices_ticket]


def test_inactive_staff_see_nothing(bobs_ticket, lena):
    lena.is_active = False
    lena.save()
    assert not permissions.can_view_ticket(lena, bobs_ticket)
    assert permissions.visible_tickets(lena, Ticket.objects.all()).count() == 0


def test_reports_are_for_admins_agents_and_viewers_not_developers(ada, lena, otto, dana, vera):
    readers = {u.username: permissions.can_view_reports(u) for u in (ada, lena, otto, dana, vera)}
    assert readers == {"ada": True, "lena": True, "otto": True, "dana": False, "vera": True}
    dana.is_superuser = True  # a developer who is also an admin reads them
    assert permissions.can_view_reports(dana)
