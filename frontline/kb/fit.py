"""Does a macro suit a ticket? The hook the knowledge-base issue fills.

The picker in the desk and `POST /api/v1/tickets/{ref}/macros/{id}` show what
this returns next to the text (a macro about refunds on a login question, a
macro for version 4 on a ticket about version 5). Until fit scoring exists it
finds nothing to warn about: the callers are wired, so adding checks here changes
no face.
"""

from __future__ import annotations

from frontline.kb.models import Macro
from frontline.tickets.models import Ticket


def fit_warnings(macro: Macro, ticket: Ticket) -> list[str]:
    """Sentences an agent should read before using `macro` on `ticket`; none yet."""
    return []
