"""When the database is briefly away: which errors say so, and what is done about them.

A PostgreSQL restart or failover, a network path that drops, or SQLite's write
lock held by someone else past the busy timeout: the request or the task was
fine, the database could not take it *now*. Such an error is transient, and
this module is the one place that says which errors are:

- the web answers 503 with `Retry-After` instead of a 500
  (`frontline.core.middleware` for desk and portal pages, `frontline.api.errors`
  for the API), and drops the broken connection so the next request opens a
  fresh one;
- the worker puts a task that failed on one back in the queue, after 1, 2, 4 ...
  seconds (`backoff`), up to FRONTLINE_TASK_MAX_ATTEMPTS claims
  (`frontline.core.worker`); before, only the stale-mail sweep found such work,
  minutes later.

Everything else (a bug, a missing table, a wrong password, a value out of range)
is not transient: retried, it fails the same way again, so it is shown as it is.

Which errors are transient:
- PostgreSQL, by SQLSTATE (PostgreSQL manual, appendix A): class 08 (connection
  exception); class 40 (serialization failure, deadlock: the transaction may
  simply run again); 53300 too_many_connections; 55P03 lock_not_available;
  57P01-57P03 (admin shutdown, crash shutdown, cannot connect now: a restart).
  Not 57014 (a statement timeout or cancel): the same query would run as long.
- psycopg's own connection failures, which carry no SQLSTATE: refused, reset,
  "server closed the connection unexpectedly", "the connection is closed"; but
  not a refusal at connect that no wait will change (the database or role does
  not exist, the password is wrong).
- SQLite: SQLITE_BUSY and SQLITE_LOCKED ("database is locked"). With our busy
  timeout (20 s) it means another writer held the lock all that time: a bulk
  import or a long migration. The write succeeds once it lets go, so it is
  transient like a restart, and answered the same way.
"""

from __future__ import annotations

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

# What the web asks a client to wait before trying again. A PostgreSQL restart
# takes a few seconds; a client that comes back sooner only finds it still down.
RETRY_AFTER_SECONDS = 5

_TRANSIENT_SQLSTATE_CLASSES = ("08", "40")
_TRANSIENT_SQLSTATES = frozenset({"53300", "55P03", "57P01", "57P02", "57P03"})
# A connect that fails with one of these needs an administrator, not a wait.
_PERMANENT_CONNECT_FAILURES = ("does not exist", "authentication failed", "pg_hba.conf",
                               "no password supplied", "permission denied")
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


def is_transient(error: BaseException) -> bool:
    """True when `error` says the database could not answer now, and the same work
    would succeed once it is back (see the module's docstring for the list)."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    # Django wraps the driver's exception and keeps it as the cause.
    driver_error = error.__cause__ if error.__cause__ is not None else error
    sqlite_code = getattr(driver_error, "sqlite_errorcode", None)
    if sqlite_code is not None:
        # Extended codes (SQLITE_BUSY_SNAPSHOT, ...) keep the primary code in the low byte.
        return sqlite_code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    if not type(driver_error).__module__.startswith("psycopg"):
        # Django's own "connection already closed"; anything from another driver
        # (SQLite's InterfaceError is a bad parameter: a bug) is not.
        return driver_error is error and isinstance(error, InterfaceError)
    sqlstate = getattr(driver_error, "sqlstate", None)
    if sqlstate:
        return sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES or sqlstate in _TRANSIENT_SQLSTATES
    message = str(driver_error).lower()
    return not any(reason in message for reason in _PERMANENT_CONNECT_FAILURES)


def is_conflict(error: BaseException) -> bool:
    """True when `error` is PostgreSQL's answer to two transactions in each other's
    way (SQLSTATE class 40: a deadlock, a serialization failure): the database is
    well, and the same work done in smaller transactions gets through."""
    driver_error = error.__cause__ if error.__cause__ is not None else error
    sqlstate = str(getattr(driver_error, "sqlstate", None) or "")
    return isinstance(error, OperationalError) and sqlstate[:2] == "40"


def describe(error: BaseException) -> str:
    """One line for the log: the error's class and its message's first line."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}".rstrip(": ")


def discard_broken_connections() -> None:
    """Close this thread's database connections that an error left unusable, so the
    next query connects afresh; a working one is kept.

    Django does this when a request starts and ends, but not in threads it does not
    manage (the mail listener's) nor between a task's failure and the worker's next
    write. A connection inside a transaction is left to that transaction's owner.
    """
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def backoff(attempt: int, *, cap: float | None = None) -> float:
    """Seconds to wait before try number `attempt` + 1: 1, 2, 4, 8 ... up to `cap`
    (FRONTLINE_TASK_RETRY_MAX_SECONDS by default)."""
    limit = settings.FRONTLINE_TASK_RETRY_MAX_SECONDS if cap is None else cap
    return float(min(limit, 2 ** max(0, min(attempt - 1, 30))))
