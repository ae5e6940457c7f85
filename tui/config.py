"""Preferences of one person on one machine (SPEC section 2): the TOML config file.

The file is ``$MILEPAY_CONFIG``, else ``config.toml`` in the user config folder
(``platformdirs.user_config_dir("milepay")``, e.g. ``~/.config/milepay/config.toml``)::

    theme = "textual-light"        # any Textual theme name; "dark"/"light" mean textual-*
    book = "~/books/studio.duckdb" # the default book
    message_folder = "~/milepay-messages"

    [keymap]                       # binding id = keys, as Textual's set_keymap takes them
    goto-chase = "c,7"

    [mail]                         # where chase messages are sent through
    host = "smtp.example.org"
    port = 587                     # default: 587 starttls, 465 tls, 25 none
    security = "starttls"          # none | starttls | tls
    user = "mara@example.org"
    from = "mara@example.org"
    password_file = "~/.config/milepay/smtp-password"   # mode 0600, yours

    [bank.sparkasse]               # bank statement profiles (SPEC section 6)

These are not book settings: mail settings never come from a book or an import, and the
password is never in this file (``$MILEPAY_SMTP_PASSWORD`` or ``password_file``).

Reading never stops the app: :func:`load_config` returns the typed :class:`Config` and a list
of problems, one line each naming the file and the key (``...config.toml: mail.port: 'abc' is
not a port number``); a wrong key keeps its default and the other keys still load, a file that
is not TOML at all gives the defaults. Unknown keys are reported by name.

``[bank.NAME]`` tables are accepted and kept as they are (each must be a table): the issue
that adds bank statement imports defines and checks their keys.

Writing (:func:`save_preference`, :func:`save_mail`, :func:`update_config`) keeps the
user's comments and layout (tomlkit), checks each value as :func:`load_config` would, and
replaces the file atomically (a temporary file in the same folder, then ``os.replace``). A
new file and its folders are 0600 and 0700 from the moment they exist (explicit modes, which
no umask can widen; see :func:`make_private_dir`). A
config file that is a symbolic link (dotfiles) is written where the link points. This module
does no Textual and no DuckDB work.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.domain.errors import RefusedError, ValidationError, printable

CONFIG_ENV = "MILEPAY_CONFIG"
SECURITIES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
TOP_KEYS = ("theme", "book", "message_folder", "keymap", "mail", "bank")
MAIL_KEYS = ("host", "port", "security", "user", "from", "password_file")
#: the top-level keys :func:`save_preference` writes
PREFERENCES = ("theme", "book", "message_folder")
_HOST = re.compile(r"^[A-Za-z0-9._:\[\]-]+$")


@dataclass(frozen=True)
class MailConfig:
    """The ``[mail]`` table: where and how chase messages are sent (never the password)."""

    host: str
    port: int | None = None
    security: str = "starttls"
    user: str = ""
    from_addr: str = ""
    password_file: Path | None = None

    @property
    def effective_port(self) -> int:
        """The port, else the usual one for the security (587, 465, 25)."""
        return self.port or DEFAULT_PORTS.get(self.security, 587)

    @property
    def sender(self) -> str:
        """The From address: the configured one, else the user name when it is an address."""
        return self.from_addr or (self.user if "@" in self.user else "")

    @property
    def server_id(self) -> str:
        """``host:port:user``: what the user confirms before the first send through it."""
        return f"{self.host}:{self.effective_port}:{self.user}"

    def describe(self) -> str:
        """``smtp.example.com:587 (STARTTLS) as user``."""
        who = f" as {self.user}" if self.user else ""
        return f"{self.host}:{self.effective_port} ({self.security.upper()}){who}"


@dataclass(frozen=True)
class Config:
    """Everything the config file sets; a missing key is None (or empty)."""

    @property
    def sender(self) -> str:
        """The user's own address: ``from`` in ``[mail]`` (else the server's login name)."""
        return self.mail.sender if self.mail is not None else self.mail_from

    theme: str | None = None
    book: Path | None = None
    message_folder: Path | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    mail: MailConfig | None = None
    #: ``from`` of ``[mail]``, also without a server: the From of saved ``.eml`` drafts
    mail_from: str = ""
    #: ``[bank.NAME]`` profiles, kept unchecked until bank imports define them
    bank: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Bad(Exception):
    """One value is wrong; the text says why (without the key)."""


def config_path() -> Path:
    """``$MILEPAY_CONFIG``, else ``config.toml`` in the user config folder."""
    env = os.environ.get(CONFIG_ENV, "").strip()
    if env:
        return Path(env).expanduser()  # RuntimeError for "~name" of a user with no home folder
    import platformdirs

    return Path(platformdirs.user_config_dir("milepay")) / "config.toml"


def shown_path(path: Path) -> str:
    """``path`` for people: the home folder written ``~`` (the same on every machine)."""
    home = Path.home()
    try:
        return "~/" + str(path.relative_to(home))
    except ValueError:
        return str(path)


# ---- checking one value ----------------------------------------------------------------------


def _shown(value: Any) -> str:
    """A value as the problem line quotes it (TOML-like, one line)."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _line(value: Any, what: str) -> str:
    """A one-line string without control characters, stripped."""
    if not isinstance(value, str):
        raise _Bad(f"{_shown(value)} is not {what} (write it in quotes)")
    text = value.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _Bad("must be one line without control characters")
    if len(text) > 500:
        raise _Bad(f"is too long ({len(text)} characters, at most 500)")
    return text


def _theme(value: Any) -> str | None:
    """A theme name (the app checks that Textual knows it)."""
    return _line(value, "a theme name") or None


def _path(value: Any) -> Path | None:
    """An absolute path (``~`` allowed); empty means not set."""
    text = _line(value, "a path")
    if not text:
        return None
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # "~name" of a user with no home folder
        raise _Bad(f"{value!r}: no such user's home folder") from None
    if not path.is_absolute():
        raise _Bad(f"{value!r} is not an absolute path (start it with / or ~)")
    return path


def _host(value: Any) -> str:
    """A host name or address, without spaces."""
    text = _line(value, "a host name")
    if text and not _HOST.match(text):
        raise _Bad(f"{value!r} is not a host name (e.g. smtp.example.org)")
    return text


def _port(value: Any) -> int | None:
    """A TCP port 1-65535 (a number, or digits in quotes); empty means the usual one."""
    if isinstance(value, str) and value.strip() == "":
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 1 <= number <= 65535:
        raise _Bad(f"{_shown(value)} is not a port number (1-65535)")
    return number


def _security(value: Any) -> str:
    """none, starttls or tls; empty means starttls."""
    text = _line(value, "none, starttls or tls").lower() or "starttls"
    if text not in SECURITIES:
        raise _Bad(f"{value!r} is not none, starttls or tls")
    return text


def _user(value: Any) -> str:
    """A login name."""
    return _line(value, "a user name")


def _email(value: Any) -> str:
    """An e-mail address, or empty."""
    text = _line(value, "an e-mail address")
    if not text:
        return text
    from email_validator import EmailNotValidError, validate_email

    try:  # the same check as a contact's address (syntax only, no DNS)
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise _Bad(f"{value!r} is not an e-mail address") from None


_TOP_CHECKS: dict[str, Callable[[Any], Any]] = {
    "theme": _theme,
    "book": _path,
    "message_folder": _path,
}
_MAIL_CHECKS: dict[str, Callable[[Any], Any]] = {
    "host": _host,
    "port": _port,
    "security": _security,
    "user": _user,
    "from": _email,
    "password_file": _path,
}


def parse_value(key: str, text: Any) -> Any:
    """Check one value as the file would hold it (``theme``, ``mail.port``...); names the key."""
    table, _, name = key.rpartition(".")
    checks = _MAIL_CHECKS if table == "mail" else _TOP_CHECKS if table == "" else {}
    if name not in checks:
        raise ValidationError(key, "is not a key milepay writes")
    try:
        return checks[name](text)
    except _Bad as exc:
        raise ValidationError(key, str(exc)) from None


# ---- reading ---------------------------------------------------------------------------------


def load_config(path: Path | None = None) -> tuple[Config, list[str]]:
    """The config file as a typed :class:`Config`, and one line per problem found in it.

    A missing file gives the defaults and no problem. A wrong key keeps its default, the rest
    still loads; a file that cannot be read or is not TOML gives the defaults and one line.
    """
    if path is None:
        try:
            path = config_path()
        except RuntimeError:  # $MILEPAY_CONFIG="~name/..." of a user with no home folder
            env = printable(os.environ.get(CONFIG_ENV, ""))
            return Config(), [
                f"${CONFIG_ENV}: '{env}': no such user's home folder; using the defaults"
            ]
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config(), []
    except OSError as exc:
        return Config(), [f"{where}: cannot be read ({exc.strerror or exc}); using the defaults"]
    except UnicodeDecodeError:
        return Config(), [f"{where}: is not UTF-8 text; using the defaults"]
    except tomllib.TOMLDecodeError as exc:
        return Config(), [f"{where}: is not valid TOML ({exc}); using the defaults"]

    problems: list[str] = []

    def bad(key: str, reason: str) -> None:
        problems.append(printable(f"{where}: {key}: {reason}"))

    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key in _TOP_CHECKS:
            try:
                values[key] = _TOP_CHECKS[key](raw)
            except _Bad as exc:
                bad(key, str(exc))
        elif key == "keymap":
            values["keymap"] = _read_keymap(raw, bad)
        elif key == "mail":
            values["mail"] = _read_mail(raw, bad)
            if isinstance(raw, dict) and "from" in raw:
                with contextlib.suppress(_Bad):  # a bad one is reported by _read_mail
                    values["mail_from"] = _email(raw["from"])
        elif key == "bank":
            values["bank"] = _read_bank(raw, bad)
        else:
            bad(key, f"is not a key milepay knows ({', '.join(TOP_KEYS)})")
    return Config(**values), problems


def _read_keymap(raw: Any, bad: Callable[[str, str], None]) -> dict[str, str]:
    """``[keymap]``: binding id = keys (the app reports ids it does not have)."""
    if not isinstance(raw, dict):
        bad("keymap", f'{_shown(raw)} is not a table (write [keymap] and binding-id = "keys")')
        return {}
    out: dict[str, str] = {}
    for binding, keys in raw.items():
        try:
            text = _line(keys, 'keys such as "ctrl+k" or "k,7"')
        except _Bad as exc:
            bad(f"keymap.{binding}", str(exc))
            continue
        if not text:
            bad(f"keymap.{binding}", "is empty (name at least one key)")
            continue
        out[binding] = text
    return out


def _read_mail(raw: Any, bad: Callable[[str, str], None]) -> MailConfig | None:
    """``[mail]``; None when it names no host (nothing is sent then)."""
    if not isinstance(raw, dict):
        bad("mail", f"{_shown(raw)} is not a table (write [mail] and host = ...)")
        return None
    got: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "password":
            bad("mail.password", "the password is never kept in the config file: set "
                "MILEPAY_SMTP_PASSWORD or password_file (a file only you can read)")  # fmt: skip
        elif key not in _MAIL_CHECKS:
            bad(f"mail.{key}", f"is not a mail setting milepay knows ({', '.join(MAIL_KEYS)})")
        else:
            try:
                got[key] = _MAIL_CHECKS[key](value)
            except _Bad as exc:
                bad(f"mail.{key}", str(exc))
    if not got.get("host"):
        return None
    return MailConfig(host=got["host"], port=got.get("port"),
                      security=got.get("security") or "starttls", user=got.get("user", ""),
                      from_addr=got.get("from", ""),
                      password_file=got.get("password_file"))  # fmt: skip


#: the keys of a ``[bank.NAME]`` profile (SPEC 6; see :class:`BankProfile`)
BANK_KEYS = ("date", "amount", "credit", "debit", "counterparty", "reference", "date_format",
             "locale", "encoding", "delimiter", "skip", "currency")  # fmt: skip
_BANK_COLUMNS = ("date", "amount", "credit", "debit", "counterparty", "reference")


@dataclass(frozen=True)
class BankProfile:
    """One bank's CSV export: its column names, date format, number locale, encoding.

    Every key is optional: a column not named is looked for under the usual names
    (``Buchungstag``, ``Date``, ``Betrag``, ``Amount``, ...), the encoding, delimiter and
    header line are detected, and the locale is refused only when the amounts read two ways.
    """

    name: str = ""
    date: str = ""
    amount: str = ""
    credit: str = ""
    debit: str = ""
    counterparty: str = ""
    reference: str = ""
    date_format: str = ""
    locale: str = ""
    encoding: str = ""
    delimiter: str = ""
    skip: int | None = None
    currency: str = ""

    @classmethod
    def from_table(cls, name: str, table: Mapping[str, Any]) -> BankProfile:
        """The profile from a table :func:`load_config` checked (``Config.bank[name]``)."""
        return cls(name=name, **{k: v for k, v in table.items() if k in BANK_KEYS})

    def columns(self) -> dict[str, str]:
        """The column names the profile gives (``{"date": "Buchungstag", ...}``)."""
        return {k: getattr(self, k) for k in _BANK_COLUMNS if getattr(self, k)}


def _bank_value(key: str, value: Any) -> Any:
    """One checked value of a ``[bank.NAME]`` profile."""
    if key == "skip":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
            raise _Bad(f"{_shown(value)} is not a number of lines (0-1000)")
        return value
    if key == "delimiter":
        text = value.replace("\\t", "\t") if isinstance(value, str) else ""
        if len(text) != 1 or text in "\"'\r\n" or text.isalnum():
            raise _Bad(f"{value!r} is not one delimiter character (e.g. ';', ',', '\\t')")
        return text
    text = _line(value, "a text")
    if key == "encoding":
        import codecs

        try:
            codecs.lookup(text)
        except LookupError:
            raise _Bad(f"{value!r} is not an encoding (e.g. utf-8, latin-1, cp1252)") from None
        return text
    if key == "locale":
        from tui.domain.money import parse_locale

        try:
            return parse_locale(text)
        except ValidationError as exc:
            raise _Bad(exc.reason) from None
    if key == "date_format":
        if not re.search(r"%[dmyYbB]|DD|MM|YY", text):
            raise _Bad(f"{value!r} is not a date format (e.g. DD.MM.YYYY or %d.%m.%Y)")
        return text
    if key == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", text):
            raise _Bad(f"{value!r} is not a currency code (3 letters, e.g. EUR)")
        return text.upper()
    if not text:
        raise _Bad("is empty (name the column as the bank's header writes it)")
    return text


def _read_bank(raw: Any, bad: Callable[[str, str], None]) -> dict[str, dict[str, Any]]:
    """``[bank.NAME]`` tables: each key checked (:data:`BANK_KEYS`); a wrong key is left out."""
    if not isinstance(raw, dict):
        bad("bank", f"{_shown(raw)} is not a table (write [bank.NAME] for each profile)")
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, profile in raw.items():
        if not isinstance(profile, dict):
            bad(f"bank.{name}", f"{_shown(profile)} is not a table (write [bank.{name}])")
            continue
        checked: dict[str, Any] = {}
        for key, value in profile.items():
            if key not in BANK_KEYS:
                bad(f"bank.{name}.{key}",
                    f"is not a bank profile key milepay knows ({', '.join(BANK_KEYS)})")  # fmt: skip
                continue
            try:
                checked[key] = _bank_value(key, value)
            except _Bad as exc:
                bad(f"bank.{name}.{key}", str(exc))
        if "amount" in checked and ("credit" in checked or "debit" in checked):
            bad(f"bank.{name}.amount", "name either amount or credit and debit, not both")
            checked.pop("credit", None)
            checked.pop("debit", None)
        out[name] = checked
    return out


# ---- writing ---------------------------------------------------------------------------------


def save_preference(key: str, value: str | Path | None, path: Path | None = None) -> Path:
    """Set (None or empty: remove) ``theme``, ``book`` or ``message_folder``; the file's path."""
    if key not in PREFERENCES:
        raise ValidationError(key, f"is not a preference milepay writes ({', '.join(PREFERENCES)})")
    return update_config({key: value}, path)


def save_mail(values: Mapping[str, str | int | None], path: Path | None = None) -> Path:
    """Set the ``[mail]`` keys given (host, port, security, user, from, password_file).

    An empty value or None removes the key; keys not given are left as they are.
    """
    return update_config({f"mail.{k}": v for k, v in values.items()}, path)


def update_config(changes: Mapping[str, Any], path: Path | None = None) -> Path:
    """Apply ``{"theme": ..., "mail.port": ...}`` in one atomic write keeping comments.

    Every value is checked first (a :class:`ValidationError` names the key and nothing is
    written); empty values and None remove the key. A file that is not valid TOML is refused,
    never overwritten.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    checked: dict[str, Any] = {}
    for key, value in changes.items():
        if isinstance(value, Path):
            value = str(value)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            parse_value(key, "")  # the key must be one milepay writes
            checked[key] = None
            continue
        parsed = parse_value(key, value)
        # the text as typed (``~`` kept), but a port as a TOML number
        checked[key] = parsed if key in ("mail.port", "mail.security") else value.strip()

    try:
        target = Path(os.path.realpath(config_path() if path is None else path))
    except RuntimeError:  # $MILEPAY_CONFIG="~name/..." of a user with no home folder
        raise RefusedError(
            "names a user with no home folder; nothing was saved", field=f"${CONFIG_ENV}"
        ) from None
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise RefusedError(
            f"cannot read {target} to update it ({exc}); nothing was saved"
        ) from None
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise RefusedError(f"{target} is not valid TOML ({exc}): fix it first; nothing was "
                           "saved") from None  # fmt: skip

    for key, value in checked.items():
        table_name, _, name = key.rpartition(".")
        if table_name:
            if table_name not in doc:
                if value is None:
                    continue
                doc[table_name] = tomlkit.table()
            table = doc[table_name]
            if not isinstance(table, dict):
                raise RefusedError(f"'{table_name}' in {target} is not a table: fix it first; "
                                   "nothing was saved")  # fmt: skip
        else:
            table = doc
        if value is None:
            table.pop(name, None)
        else:
            table[name] = value
    _write_private(target, tomlkit.dumps(doc))
    return target


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each 0700 from the moment it exists.

    Each missing folder is made by ``os.mkdir(path, 0o700)``: the umask can only take bits
    away, so this holds whatever the process umask is, and the umask is left alone (the
    store's counted ``private_umask`` owns it, and importing it here would load DuckDB).
    """
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by someone else meanwhile
            os.mkdir(path, 0o700)


def _write_private(target: Path, text: str) -> None:
    """Replace ``target`` atomically with ``text``: mode 0600, folder made 0700 if missing."""
    try:
        make_private_dir(target.parent)
        # mkstemp makes the file 0600 (O_EXCL) whatever the umask
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise RefusedError(f"cannot write {target}: {exc.strerror or exc}; nothing was "
                           "saved") from None  # fmt: skip


__all__ = [
    "CONFIG_ENV",
    "DEFAULT_PORTS",
    "MAIL_KEYS",
    "SECURITIES",
    "Config",
    "MailConfig",
    "config_path",
    "load_config",
    "make_private_dir",
    "parse_value",
    "save_mail",
    "save_preference",
    "shown_path",
    "update_config",
]  # fmt: skip
