"""The demo's shared canned replies, in English and German (the demo's customers
write both), each through frontline.kb.macros as an admin would add them."""

from __future__ import annotations

from frontline.core.models import User
from frontline.kb.macros import create_macro

# title, body, changes
MACROS: list[tuple[str, str, dict[str, object]]] = [
    ("Ask for logs",
     "Hi {{ customer.first_name }},\n\nthank you for reporting this. To find the cause "
     "quickly, could you send us the application log from the time it happened, and tell "
     "us which version you run (we have: {{ fact.version }})?\n\nBest regards,\n"
     "{{ agent.first_name }}",
     {"status": "pending_customer", "tags": ["logs-requested"]}),
    ("Acknowledge with our promise",
     "Hi {{ customer.first_name }},\n\nwe have your request {{ ticket.reference }} and are "
     "on it. {{ promise }}\n\n{{ agent.first_name }}",
     {"status": "open"}),
    ("Fixed in the next release",
     "Hi {{ customer.first_name }},\n\ngood news: the problem behind {{ ticket.reference }} "
     "is fixed in our next release. We will let you know as soon as it ships.\n\n"
     "{{ agent.first_name }}",
     {"status": "pending_internal", "tags": ["fix-pending"]}),
    ("Hand over to the specialists",
     "Hi {{ customer.first_name }},\n\nI have passed {{ ticket.reference }} to our "
     "specialists, who will get back to you directly.\n\n{{ agent.first_name }}",
     {"team": "Specialists", "tags": ["handover"]}),
    ("Logs anfordern (DE)",
     "Hallo {{ customer.first_name }},\n\nvielen Dank für Ihre Meldung. Damit wir die Ursache "
     "schnell finden, senden Sie uns bitte das Anwendungsprotokoll aus dem betroffenen "
     "Zeitraum und nennen Sie uns Ihre Version (uns bekannt: {{ fact.version }}).\n\n"
     "Viele Grüße\n{{ agent.first_name }}",
     {"status": "pending_customer", "tags": ["logs-requested", "de"]}),
    ("Eingangsbestätigung (DE)",
     "Hallo {{ customer.first_name }},\n\nIhre Anfrage {{ ticket.reference }} ist bei uns "
     "eingegangen und wird bearbeitet.\n\nViele Grüße\n{{ agent.first_name }}",
     {"status": "open", "tags": ["de"]}),
    ("Gelöst: bitte bestätigen (DE)",
     "Hallo {{ customer.first_name }},\n\nwir gehen davon aus, dass das Problem gelöst ist. "
     "Bitte bestätigen Sie kurz, ob alles wieder funktioniert; andernfalls antworten Sie "
     "einfach auf diese Nachricht.\n\nViele Grüße\n{{ agent.first_name }}",
     {"status": "resolved", "tags": ["de"]}),
]


def create_macros(admin: User) -> None:
    for title, body, changes in MACROS:
        create_macro(admin, title=title, body=body, shared=True, **changes)
