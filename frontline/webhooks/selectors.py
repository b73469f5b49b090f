"""The delivery log the faces share: an endpoint's newest deliveries, each with its
attempts, in two queries however long the page."""

from __future__ import annotations

from django.db.models import Prefetch

from frontline.webhooks.models import Attempt, Delivery, Endpoint

LOG_LIMIT = 50
MAX_LOG_LIMIT = 200


def delivery_log(endpoint: Endpoint, *, limit: int = LOG_LIMIT,
                 before: int | None = None) -> list[Delivery]:
    """Newest first; `before`: only deliveries with a smaller id (the next page)."""
    deliveries = Delivery.objects.filter(endpoint=endpoint).order_by("-id")
    if before is not None:
        deliveries = deliveries.filter(pk__lt=before)
    return list(deliveries.prefetch_related(
        Prefetch("attempt_log", queryset=Attempt.objects.order_by("number")))[
        :max(1, min(limit, MAX_LOG_LIMIT))])
