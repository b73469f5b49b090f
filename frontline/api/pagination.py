"""How much of a list one API page holds. The pages themselves are cut by the
keyset paginator the desk uses too (frontline.core.paging): the ticket list in
frontline.tickets.selectors.SORTS order, organizations and contacts by id. Every
page is one indexed range scan, however deep; the cursor is opaque and URL-safe.
"""

from __future__ import annotations

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
