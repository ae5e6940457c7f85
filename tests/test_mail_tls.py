"""SMTP the way mail providers want it: STARTTLS or implicit TLS, with a login (issue 12).

Local aiosmtpd servers on 127.0.0.1 with a certificate for ``localhost`` from a test CA
(trustme); ``send`` is given an SSL context that trusts that CA. One server of each kind
per module (started once per test worker), its inbox emptied before each test.
"""

from __future__ import annotations

import email
import ssl
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from conftest import Inbox, free_port

from tui.config import MailConfig
from tui.mail import Draft, MailError, confirm_server, send, to_email_message

#: aiosmtpd warns about AUTH without STARTTLS; on the implicit-TLS server every byte is TLS
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
USER, PASSWORD = "mara", "correct horse"
PDF = b"%PDF-1.4\n%%EOF\n"


class Checker:
    """An aiosmtpd authenticator that accepts one user and password and notes the mechanism."""

    def __init__(self) -> None:
        self.mechanisms: list[str] = []

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        if ok:
            self.mechanisms.append(mechanism)
        return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A test certificate authority."""
    return trustme.CA()


@pytest.fixture(scope="module")
def server_context(ca: trustme.CA) -> ssl.SSLContext:
    """The servers' TLS context: a certificate for localhost signed by the test CA."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(ctx)
    return ctx


@pytest.fixture
def trusting(ca: trustme.CA) -> ssl.SSLContext:
    """What ``send`` uses in these tests: the default context, trusting the test CA too."""
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


def _serve(**kwargs: Any) -> Iterator[tuple[int, Inbox, Checker]]:
    inbox, checker = Inbox(), Checker()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(),
                            authenticator=checker, auth_required=True, **kwargs)  # fmt: skip
    controller.start()
    try:
        yield controller.port, inbox, checker
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def starttls_module(server_context: ssl.SSLContext) -> Iterator[tuple[int, Inbox, Checker]]:
    """STARTTLS required before anything, AUTH (LOGIN, PLAIN) only over TLS."""
    yield from _serve(tls_context=server_context, require_starttls=True, auth_require_tls=True)


@pytest.fixture(scope="module")
def tls_module(server_context: ssl.SSLContext) -> Iterator[tuple[int, Inbox, Checker]]:
    """Implicit TLS (port 465 style): TLS from the first byte, AUTH required."""
    yield from _serve(ssl_context=server_context, server_hostname="localhost",
                      auth_require_tls=False)  # fmt: skip


@pytest.fixture
def starttls_server(starttls_module: tuple[int, Inbox, Checker]) -> tuple[int, Inbox, Checker]:
    """The module's STARTTLS server with an empty inbox."""
    starttls_module[1].envelopes.clear()
    starttls_module[2].mechanisms.clear()
    return starttls_module


@pytest.fixture
def tls_server(tls_module: tuple[int, Inbox, Checker]) -> tuple[int, Inbox, Checker]:
    """The module's implicit-TLS server with an empty inbox."""
    tls_module[1].envelopes.clear()
    tls_module[2].mechanisms.clear()
    return tls_module


def message(tmp_path: Path, config: MailConfig) -> email.message.EmailMessage:
    """A reminder with an invoice attached, from the configured sender."""
    invoice = tmp_path / "INV-7.pdf"
    invoice.write_bytes(PDF)
    draft = Draft("Lea Brandt", "lea@kettle.example", "Reminder: Café", "Grüße\n", (invoice,))
    return to_email_message(draft, from_addr=config.sender, from_name="Mara")


def setup(tmp_path: Path, port: int, security: str) -> tuple[MailConfig, Path]:
    """A [mail] config for the local server, confirmed in the test's own file."""
    config = MailConfig(host="localhost", port=port, security=security, user=USER,
                        from_addr="mara@studio.example")  # fmt: skip
    confirmed = tmp_path / "confirmed"
    confirm_server(config, confirmed)
    return config, confirmed


def delivered(inbox: Inbox) -> email.message.EmailMessage:
    """The one message the server received, parsed; its attachment checked."""
    assert len(inbox.envelopes) == 1
    got = inbox.envelopes[0]
    assert got.mail_from == "mara@studio.example" and got.rcpt_tos == ["lea@kettle.example"]
    msg = email.message_from_bytes(got.original_content, policy=policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    assert str(msg["Subject"]) == "Reminder: Café"
    (part,) = list(msg.iter_attachments())
    assert part.get_filename() == "INV-7.pdf" and part.get_content() == PDF
    return msg


def test_starttls_with_a_login_delivers(
    tmp_path: Path, starttls_server: tuple[int, Inbox, Checker], trusting: ssl.SSLContext
) -> None:
    """STARTTLS, then AUTH (smtplib picks PLAIN first), then the message with its invoice."""
    port, inbox, checker = starttls_server
    config, confirmed = setup(tmp_path, port, "starttls")
    send(config, message(tmp_path, config), password=PASSWORD, timeout=5,
         confirmed_file=confirmed, context=trusting)  # fmt: skip
    delivered(inbox)
    assert checker.mechanisms == ["PLAIN"]


def test_starttls_with_auth_login(
    tmp_path: Path, server_context: ssl.SSLContext, trusting: ssl.SSLContext
) -> None:
    """A server offering only AUTH LOGIN: the login works as well."""
    for port, inbox, checker in _serve(tls_context=server_context, require_starttls=True,
                                       auth_exclude_mechanism=["PLAIN"]):  # fmt: skip
        config, confirmed = setup(tmp_path, port, "starttls")
        send(config, message(tmp_path, config), password=PASSWORD, timeout=5,
             confirmed_file=confirmed, context=trusting)  # fmt: skip
        delivered(inbox)
        assert checker.mechanisms == ["LOGIN"]


def test_starttls_wrong_password_is_refused(
    tmp_path: Path, starttls_server: tuple[int, Inbox, Checker], trusting: ssl.SSLContext
) -> None:
    """A wrong password: MailError saying the login was refused; nothing delivered."""
    port, inbox, _ = starttls_server
    config, confirmed = setup(tmp_path, port, "starttls")
    with pytest.raises(MailError) as exc:
        send(config, message(tmp_path, config), password="wrong", timeout=5,
             confirmed_file=confirmed, context=trusting)  # fmt: skip
    assert str(exc.value).startswith("the mail server refused the login for mara: ")
    assert str(exc.value).endswith("Not sent; nothing logged.")
    assert inbox.envelopes == []


def test_implicit_tls_with_a_login_delivers(
    tmp_path: Path, tls_server: tuple[int, Inbox, Checker], trusting: ssl.SSLContext
) -> None:
    """security tls: TLS from the start, login, delivered whole."""
    port, inbox, checker = tls_server
    config, confirmed = setup(tmp_path, port, "tls")
    send(config, message(tmp_path, config), password=PASSWORD, timeout=5,
         confirmed_file=confirmed, context=trusting)  # fmt: skip
    assert delivered(inbox).get_body(preferencelist=("plain",)) is not None
    assert checker.mechanisms == ["PLAIN"]


def test_implicit_tls_wrong_password_is_refused(
    tmp_path: Path, tls_server: tuple[int, Inbox, Checker], trusting: ssl.SSLContext
) -> None:
    """A wrong password over implicit TLS: the same plain refusal."""
    port, inbox, _ = tls_server
    config, confirmed = setup(tmp_path, port, "tls")
    with pytest.raises(MailError, match="refused the login for mara"):
        send(config, message(tmp_path, config), password="nope", timeout=5,
             confirmed_file=confirmed, context=trusting)  # fmt: skip
    assert inbox.envelopes == []


def test_security_none_against_a_starttls_server_fails_clearly(
    tmp_path: Path, starttls_server: tuple[int, Inbox, Checker]
) -> None:
    """No TLS: the server offers no login before STARTTLS; the error points at the setting."""
    port, inbox, _ = starttls_server
    config, confirmed = setup(tmp_path, port, "none")
    with pytest.raises(MailError) as exc:
        send(config, message(tmp_path, config), password=PASSWORD, timeout=5,
             confirmed_file=confirmed)  # fmt: skip
    text = str(exc.value)
    assert text.startswith(f"the mail server localhost:{port} does not support this: ")
    assert "Check the security setting (starttls, tls, none). Not sent." in text
    assert inbox.envelopes == []


def test_a_certificate_nobody_vouches_for_is_refused(
    tmp_path: Path, tls_server: tuple[int, Inbox, Checker]
) -> None:
    """The default context (system CAs only) does not trust the test CA: refused, not sent."""
    port, inbox, _ = tls_server
    config, confirmed = setup(tmp_path, port, "tls")
    with pytest.raises(MailError) as exc:
        send(config, message(tmp_path, config), password=PASSWORD, timeout=5,
             confirmed_file=confirmed)  # fmt: skip
    assert f"a secure connection to localhost:{port} failed" in str(exc.value)
    assert "CERTIFICATE_VERIFY_FAILED" in str(exc.value)
    assert inbox.envelopes == []
