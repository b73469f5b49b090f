"""Which queued work goes first when the queue is long.

The worker claims the READY task of the highest priority first, then in the
order queued (django-tasks-db's ordering; the claim's index in
core/migrations/0005 follows it). With a backlog (a burst of mail, a worker
back after an outage), what a customer is waiting for comes before what only
we look at: a customer's mail taken in and the mail we send them (the
acknowledgement, an agent's reply) before detection of recurring problems,
which reads the same tickets a minute later just as well, and before the SLA
recompute's range tasks after a large plan or policy change (sla/tasks.py),
which also go at BACKGROUND. Everything else
(periodic jobs: the SLA scan, reminders, webhooks) keeps the default between
the two, so a backlog of mail cannot hold back a breach warning for long.
"""

from __future__ import annotations

from django_tasks.base import DEFAULT_TASK_PRIORITY

# A customer waits for it: their mail taken in, mail to them sent.
CUSTOMER_WAITING = DEFAULT_TASK_PRIORITY + 10
# Only we look at it, and later is as good: detection, statistics.
BACKGROUND = DEFAULT_TASK_PRIORITY - 10
