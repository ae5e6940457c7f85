"""Mail setup (``M`` on the chase queue): the ``[mail]`` table of the config file, not the book.

What the form shows is read from the config file as it stands (values the app could not use
are shown as typed, so they can be fixed here); saving checks every value as
:func:`tui.config.load_config` would and rewrites only these keys, keeping the file's
comments. The password is never a setting: it comes from ``$MILEPAY_SMTP_PASSWORD`` or
from a file only its owner can read (mode 0600); the form checks that file as you type,
exactly as sending will (:func:`tui.mail.check_password_file`).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from tui.config import config_path, parse_value, shown_path, update_config
from tui.domain.errors import ValidationError
from tui.mail import PASSWORD_ENV, PasswordFileError, check_password_file
from tui.modals.form import Field, FormModal

#: form field -> key in the config file
KEYS = {
    "host": "mail.host",
    "port": "mail.port",
    "security": "mail.security",
    "user": "mail.user",
    "from": "mail.from",
    "password_file": "mail.password_file",
    "message_folder": "message_folder",
}


def file_values(path: Path) -> dict[str, str]:
    """The form's fields as the file holds them (empty when missing or not readable)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    mail = data.get("mail")
    mail = mail if isinstance(mail, dict) else {}
    out: dict[str, str] = {}
    for name, key in KEYS.items():
        value = mail.get(key[5:]) if key.startswith("mail.") else data.get(key)
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            out[name] = str(value)
    return out


class MailSettingsForm(FormModal):
    """The ``[mail]`` table and the message folder, written to the config file."""

    FIELDS: ClassVar[list[Field]] = [
        Field("host", "SMTP server", placeholder="smtp.example.com (empty: no sending)"),
        Field("port", "Port", placeholder="empty: 587 STARTTLS, 465 TLS, 25 none"),
        Field("security", "Security", "select",
              choices=[("STARTTLS", "starttls"), ("TLS", "tls"), ("none (local relay only)", "none")]),
        Field("user", "User name", placeholder="empty: no login"),
        Field("from", "From address", placeholder="you@example.com"),
        Field("password_file", "Password file", placeholder=f"a file of mode 0600, or set {PASSWORD_ENV}"),
        Field("message_folder", "Save messages in", placeholder="empty: ~/milepay-messages"),
    ]  # fmt: skip

    def __init__(self, *, today: dt.date, path: Path | None = None) -> None:
        self.path = config_path() if path is None else path
        where = shown_path(self.path)
        super().__init__(
            "Mail setup", self.FIELDS, file_values(self.path),
            save=lambda values: update_config({KEYS[k]: v for k, v in values.items()}, self.path),
            today=today, saved_message=f"Mail setup saved in {where}.",
            subtitle=(f"Written to {where} (not the book). The password is never stored: set "
                      f"{PASSWORD_ENV}, or name a file only you can read (chmod 600)."),
        )  # fmt: skip

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """The config file's own check; a password file must exist, be yours and be private."""
        raw = values.get(name, "")
        try:
            parse_value(KEYS[name], raw)
        except ValidationError as exc:
            raise ValidationError(name, exc.reason) from None
        if name == "password_file" and raw.strip():
            try:
                check_password_file(Path(raw.strip()))
            except PasswordFileError as exc:
                raise ValidationError(name, exc.reason) from None

    def check_all(self, values: Mapping[str, str]) -> None:
        """Each field was checked on its own; nothing crosses fields."""
