"""One keyset paginator (frontline.core.paging) for the desk's lists and the API's:
the same list in the same order pages the same way, with the same cursors."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from frontline import workflow
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.core.paging import BAD_CURSOR, Keyset
from frontline.tickets.models import Ticket
from frontline.tickets.selectors import SORTS, page_of, queue_tickets
from tests.api.conftest import ApiClient

START = timezone.now() - timedelta(days=1)


@pytest.fixture
def seven_tickets(bob: object) -> list[Ticket]:
    """Bob's seven questions, a minute apart, the last one updated most recently."""
    return [workflow.open_ticket(requester_email="bob@standard.example", subject=f"Question {i}",
                                 body="Something is wrong.", at=START + timedelta(minutes=i))
            for i in range(7)]


def api_pages(user: User, **params: object) -> list[tuple[list[str], str | None]]:
    client, pages, cursor = ApiClient(user), [], None
    while True:
        body = client.get("/tickets", {**params, **({"cursor": cursor} if cursor else {})}).json()
        cursor = body["next_cursor"]
        pages.append(([t["reference"] for t in body["items"]], cursor))
        if cursor is None:
            return pages


def desk_pages(user: User, sort: str, size: int) -> list[tuple[list[str], str | None]]:
    pages, cursor = [], None
    while True:
        page = page_of(queue_tickets(user, "open", sort=sort), sort=sort, after=cursor,
                       size=size, active_only=True)
        cursor = page.next_cursor
        pages.append(([t.reference for t in page.tickets], cursor))
        if cursor is None:
            return pages


def desk_refs(html: str) -> list[str]:
    return re.findall(r'<span class="ref">(FL-\d+)</span>', html)


@pytest.mark.parametrize(("sort", "order"), [("updated", "-updated_at"), ("oldest", "updated_at")])
def test_the_desk_and_the_api_page_the_same_list_identically(lena, seven_tickets, sort, order):
    api = api_pages(lena, limit=3, order=order)
    assert api == desk_pages(lena, sort, size=3)
    assert [len(refs) for refs, _ in api] == [3, 3, 1]
    expected = [t.reference for t in seven_tickets]
    if sort == "updated":
        expected.reverse()
    assert [ref for refs, _ in api for ref in refs] == expected


def test_a_cursor_from_the_api_opens_the_same_place_in_the_desk_queue(lena, seven_tickets):
    (_first, cursor), *rest = api_pages(lena, limit=3)
    client = Client()
    client.force_login(lena)
    html = client.get("/q/open", {"after": cursor}).content.decode()
    assert desk_refs(html) == [ref for refs, _ in rest for ref in refs]
    assert 'rel="next"' not in html


def test_the_api_cursor_keeps_its_shape(lena, seven_tickets):
    """`<updated_at>|<id>` of the page's last ticket, base64url without padding, as
    the API has always handed out (clients may hold such cursors)."""
    (refs, cursor), *_ = api_pages(lena, limit=3)
    last = Ticket.objects.get(pk=int(refs[-1].rpartition("-")[2]))
    assert cursor == base64.urlsafe_b64encode(
        f"{last.updated_at.isoformat()}|{last.pk}".encode()).decode().rstrip("=")


def test_a_cursor_nobody_handed_out_is_refused_by_the_api_and_restarts_the_desk(
        lena, seven_tickets):
    for forged in ("garbage!", base64.urlsafe_b64encode(b"yesterday|7").decode(),
                   base64.urlsafe_b64encode(b"2024-01-01T00:00:00|0").decode(), "x" * 500):
        response = ApiClient(lena).get("/tickets", {"cursor": forged})
        assert response.status_code == 422, forged
        assert response.json()["errors"] == [{"field": "cursor", "message": BAD_CURSOR}]
        desk = page_of(queue_tickets(lena, "open"), after=forged, size=3)
        assert [t.reference for t in desk.tickets] == [
            t.reference for t in reversed(seven_tickets[-3:])]


def test_a_keyset_reads_back_the_cursor_it_wrote(db):
    due = Keyset("clock__sla_due", "id", nulls_last=True)
    stamp = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert due.read(due.cursor([stamp, 12]), Ticket) == [stamp, 12]
    assert due.read(due.cursor([None, 12]), Ticket) == [None, 12]
    # updated_at is never empty; the id is at least 1; the key has two parts.
    for values in ([None, 12], [stamp, 0]):
        with pytest.raises(InvalidInput) as caught:
            SORTS["updated"].read(SORTS["updated"].cursor(values), Ticket)
        assert caught.value.field == "cursor"
    with pytest.raises(InvalidInput):
        SORTS["priority"].read(SORTS["updated"].cursor([stamp, 12]), Ticket)
