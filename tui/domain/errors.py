"""The errors milepay raises on purpose: each carries a message a person can act on."""

from __future__ import annotations


class MilepayError(Exception):
    """Base of every error milepay shows to a user (never a traceback)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(MilepayError):
    """A value typed or imported by the user is wrong; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class RefusedError(MilepayError):
    """An action the book's rules refuse (overpayment, deleting a paid milestone, ...)."""


class NotFoundError(MilepayError):
    """A record named by the user does not exist."""
