"""Errors that services raise and every face (desk, API, CLI) shows as it is.

A service never returns an error code: it raises one of these with a sentence a
user can read, and, where one input is to blame, the name of that field.
"""

from __future__ import annotations


class FrontlineError(Exception):
    """A refusal the user can act on: shown as a 4xx, a form error or a CLI message."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(FrontlineError):
    status_code = 422


class InvalidTransition(FrontlineError):
    status_code = 409


class NeedsConfirmation(InvalidTransition):
    """Allowed, but only when asked for knowingly: the message says what would happen,
    `field` names the flag that confirms it (a 409 until it is sent)."""


class NotAllowed(FrontlineError):
    status_code = 403


class NotFound(FrontlineError):
    status_code = 404
