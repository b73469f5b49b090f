"""What the settings pages say about SLA work still running in the background."""

from __future__ import annotations

from django import template

from frontline.sla import recompute

register = template.Library()


@register.simple_tag
def sla_recompute_left() -> str:
    """ "Recomputing the promises of N open tickets ..." while range tasks of a large
    plan, policy, calendar or contract change are left (frontline.sla.recompute), else
    "". One query on a small partial index."""
    return recompute.describe_left()
