"""The errors milepay raises on purpose: each carries a message a person can act on.

Messages often echo what the user typed or imported (a name, a CSV cell). Such text may hold
terminal escapes (``ESC]52;...`` writes the clipboard, ``ESC[2J`` clears the screen), a newline
that would break "one error, one line", or a bidirectional override that reverses what the
reader sees. :func:`printable` makes any text safe to print as one line, and every
:class:`MilepayError` passes its message through it, so no error can carry such characters
to a terminal, whichever layer raised it.
"""

from __future__ import annotations

import unicodedata

#: bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069)
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def is_control(ch: str) -> bool:
    """True for C0 and C1 controls, DEL, bidirectional overrides/isolates, lone surrogates.

    (A lone surrogate is what Python makes of bytes that are not UTF-8 in an argument.)
    """
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_CONTROLS


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character escaped (``\\x1b``, ``\\n``, ``\\u202e``).

    Backslashes are doubled only when the text holds something escaped, so ordinary messages
    (a Windows path) are unchanged while an escaped message can still be read back exactly.
    ``keep_newlines`` leaves ``\\n`` as it is (a message made of several error lines, each of
    which was escaped on its own).
    """
    if not any(is_control(ch) and not (keep_newlines and ch == "\n") for ch in text):
        return text
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch in _NAMED:
            out.append(_NAMED[ch])
        elif is_control(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


class MilepayError(Exception):
    """Base of every error milepay shows to a user (never a traceback).

    The message is made printable (:func:`printable`) when the error is made. ``field``
    names the field the error is about (``None`` when it concerns no single field), so a form
    can show it beside that field without reading the message text.
    """

    exit_code = 1
    #: subclasses whose message is several lines, each already made printable
    multiline = False

    def __init__(self, message: str, *, field: str | None = None) -> None:
        message = printable(message, keep_newlines=self.multiline)
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(MilepayError):
    """A value typed or imported by the user is wrong; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.field: str = field
        self.reason = printable(message)


class RefusedError(MilepayError):
    """An action the book's rules refuse (overpayment, deleting a paid milestone, ...).

    ``RefusedError("would overpay this milestone", field="amount")`` reads
    ``amount: would overpay this milestone``, like a :class:`ValidationError`; :attr:`reason`
    is the text without the field, and :attr:`field` the form field it concerns (if any).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message, field=field)
        self.reason = printable(message)


class NotFoundError(MilepayError):
    """A record named by the user does not exist."""


class StaleEditError(RefusedError):
    """A save over a record that changed since the form was opened; nothing was written.

    ``current`` is the record as it is now and ``changed`` the fields whose stored value
    differs from the one the form was opened on, as ``{field: (opened_on, now)}``.
    """

    def __init__(self, what: str, current: dict, changed: dict[str, tuple[object, object]]) -> None:
        names = ", ".join(changed) or "its fields"
        super().__init__(
            f"this {what} was changed elsewhere since you opened it ({names}); nothing was saved"
        )
        self.current = current
        self.changed = changed
