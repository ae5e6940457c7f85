"""Mail setup: the SMTP server chase messages are sent through, and where they are saved.

The password is never a setting: it comes from ``$MILEPAY_SMTP_PASSWORD`` or from a file
that only its owner can read (mode 0600); the form checks that file's mode as you type.
"""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from tui.domain.errors import ValidationError
from tui.domain.model import Settings
from tui.mail import PASSWORD_ENV
from tui.modals.form import Field, FormModal


class MailSettingsForm(FormModal):
    """The SMTP settings and the message folder, each checked by ``Settings.parse_value``."""

    FIELDS: ClassVar[list[Field]] = [
        Field("smtp_host", "SMTP server", placeholder="smtp.example.com (empty: no sending)"),
        Field("smtp_port", "Port", placeholder="empty: 587 STARTTLS, 465 TLS, 25 none"),
        Field("smtp_security", "Security", "select",
              choices=[("STARTTLS", "starttls"), ("TLS", "tls"), ("none (local relay only)", "none")]),
        Field("smtp_user", "User name", placeholder="empty: no login"),
        Field("smtp_from", "From address", placeholder="you@example.com"),
        Field("smtp_password_file", "Password file", placeholder=f"~/.milepay-smtp (mode 0600), or set {PASSWORD_ENV}"),
        Field("message_folder", "Save messages in", placeholder="empty: ~/milepay-messages"),
    ]  # fmt: skip

    def __init__(self, *, settings: Settings, today: dt.date,
                 save: Callable[[dict[str, str]], Any]) -> None:  # fmt: skip
        text = settings.to_text()
        super().__init__(
            "Mail setup", self.FIELDS, {f.name: text.get(f.name, "") for f in self.FIELDS},
            save=lambda v: save({k: v.strip() for k, v in v.items()}), today=today,
            saved_message="Mail setup saved.",
            subtitle=(f"The password is never stored in the book: set {PASSWORD_ENV} in the "
                      "environment, or name a file only you can read (chmod 600)."),
        )  # fmt: skip

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """The setting's own parser; a password file must exist and be private."""
        raw = values.get(name, "")
        Settings.parse_value(name, raw)
        if name == "smtp_password_file" and raw.strip():
            path = Path(raw.strip()).expanduser()
            try:
                mode = path.stat().st_mode
            except OSError:
                raise ValidationError(name, f"there is no file {path}") from None
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise ValidationError(
                    name, f"others can read it (mode {stat.S_IMODE(mode):04o}): chmod 600 {path}"
                )

    def check_all(self, values: Mapping[str, str]) -> None:
        """Each field was checked on its own; nothing crosses fields."""
