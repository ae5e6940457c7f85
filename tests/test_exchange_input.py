"""Hostile and awkward input files: Windows line endings in multi-line cells, terminal escapes
in cells, mail settings in settings.csv, digits other than ASCII 0-9."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_exchange import BASE_CLIENTS, base_folder, book_content, refused, write

from tui.store import Book
from tui.store.exchange import import_folder

PAYMENTS_HEADER = "client,contract,seq,amount,received_on\n"


def test_crlf_file_with_a_multi_line_cell_keeps_the_line_break(tmp_path: Path, book: Book) -> None:
    folder = tmp_path / "in"
    write(
        folder,
        "clients.csv",
        'name,notes,rating\r\nAcme,"two\r\nlines",1\r\nGlobex,"a\r\n\r\nb",\r\nInitech,x,5\r\n',
    )
    import_folder(book, folder)
    with book.reading() as con:
        rows = con.execute("SELECT name, notes, rating FROM clients ORDER BY name").fetchall()
    assert rows == [("Acme", "two\nlines", 1), ("Globex", "a\n\nb", None), ("Initech", "x", 5)]


def test_crlf_multi_line_cells_keep_line_numbers_right(tmp_path: Path, book: Book) -> None:
    folder = tmp_path / "in"
    # line 1 header; Acme spans 2-3; Globex spans 4-6; Bad is line 7; Worse is line 8
    write(
        folder,
        "clients.csv",
        'name,notes,rating\r\nAcme,"two\r\nlines",1\r\nGlobex,"a\r\n\r\nb",\r\nBad,x,9\r\n'
        "Worse,y,0\r\n",
    )
    assert refused(book, folder) == [
        "clients.csv:7: rating: 9 is more than 5",
        "clients.csv:8: rating: 0 is less than 1",
    ]


def test_crlf_in_a_template_body_is_stored_as_a_line_break(tmp_path: Path, book: Book) -> None:
    folder = tmp_path / "in"
    write(folder, "templates.csv", 'step,subject,body\r\nfirm,Late,"Dear $contact,\r\npay."\r\n')
    import_folder(book, folder)
    with book.reading() as con:
        body = con.execute("SELECT body FROM message_templates WHERE step = 'firm'").fetchone()
    assert body == ("Dear $contact,\npay.",)


def test_terminal_escapes_in_cells_are_shown_escaped_one_line_each(
    tmp_path: Path, book: Book
) -> None:
    folder = tmp_path / "in"
    write(
        folder,
        "settings.csv",
        'key,value\n\x1b]52;c;cm0gLXJmIH4=\x07,1\n"two\nlines",1\n\u009b2J,1\nhome_currency,\x1b[2J\n',
    )
    lines = refused(book, folder)
    assert len(lines) == 4
    assert lines[0].startswith(
        "settings.csv:2: key: '\\x1b]52;c;cm0gLXJmIH4=\\x07' is not a setting milepay knows ("
    )
    assert lines[1].startswith("settings.csv:3: key: 'two\\nlines' is not a setting milepay")
    assert lines[2].startswith("settings.csv:5: key: '\\x9b2J' is not a setting milepay knows")
    assert lines[3].startswith("settings.csv:6: home_currency: '")
    assert "\\x1b[2J" in lines[3]
    for line in lines:
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in line), line


def test_a_file_name_with_an_escape_is_shown_escaped(tmp_path: Path, book: Book) -> None:
    folder = base_folder(tmp_path / "in")
    write(folder, "\x1b[2Jevil.csv", "a\n")
    lines = refused(book, folder)
    assert lines == [
        "\\x1b[2Jevil.csv:1: file: not a file of the exchange format (clients.csv, contacts.csv, "
        "contracts.csv, milestones.csv, payments.csv, chase.csv, holds.csv, change_orders.csv, "
        "fee_claims.csv, expenses.csv, settings.csv, reference_rates.csv, templates.csv)"
    ]


MAIL_MESSAGE = (
    "is a mail setting; mail is set in your own config file ([mail] in config.toml), never by "
    "an import"
)
OWN_MESSAGE = (
    "is a preference of your own; it is set in your own config file (config.toml), never by an "
    "import"
)


def test_mail_settings_are_refused_by_name(tmp_path: Path, book: Book) -> None:
    folder = tmp_path / "in"
    write(
        folder,
        "settings.csv",
        "key,value\nhome_currency,GBP\nsmtp_host,evil.example\nSMTP_PORT,25\nsmtp_security,none\n"
        "smtp_user,me\nsmtp_from,me@evil.example\nsmtp_password_file,/tmp/pw\n"
        "message_folder,/tmp\ntheme,light\n",
    )
    assert refused(book, folder) == [
        f"settings.csv:3: key: smtp_host {MAIL_MESSAGE}",
        f"settings.csv:4: key: smtp_port {MAIL_MESSAGE}",
        f"settings.csv:5: key: smtp_security {MAIL_MESSAGE}",
        f"settings.csv:6: key: smtp_user {MAIL_MESSAGE}",
        f"settings.csv:7: key: smtp_from {MAIL_MESSAGE}",
        f"settings.csv:8: key: smtp_password_file {MAIL_MESSAGE}",
        f"settings.csv:9: key: message_folder {OWN_MESSAGE}",
        f"settings.csv:10: key: theme {OWN_MESSAGE}",
    ]


def test_unknown_setting_message_does_not_offer_mail_keys(tmp_path: Path, book: Book) -> None:
    write(tmp_path / "in", "settings.csv", "key,value\ncolour,red\n")
    (line,) = refused(book, tmp_path / "in")
    assert line.startswith("settings.csv:2: key: 'colour' is not a setting milepay knows (")
    assert "smtp" not in line and "theme" not in line and "message_folder" not in line
    assert "business_name" in line and "fx.XXX" in line


@pytest.mark.parametrize("amount", ["٣٣٣.٣٣", "３３３.３３", "३३३"])
def test_amounts_in_other_digits_are_refused(tmp_path: Path, book: Book, amount: str) -> None:
    """Decimal() reads Arabic-Indic, fullwidth and Devanagari digits; the import must not."""
    folder = base_folder(
        tmp_path / "in", payments=f"{PAYMENTS_HEADER}Acme,Website,1,{amount},2026-11-01\n"
    )
    lines = refused(book, folder)
    assert len(lines) == 1
    assert lines[0].startswith("payments.csv:2: amount: "), lines


def test_good_rows_after_the_checks_still_import(tmp_path: Path, book: Book) -> None:
    """The new checks refuse only what they should: a plain folder imports as before."""
    folder = base_folder(
        tmp_path / "in",
        clients=BASE_CLIENTS,
        payments=f"{PAYMENTS_HEADER}Acme,Website,1,333.33,2026-11-01\n",
    )
    write(folder, "settings.csv", "key,value\nbusiness_name,Me Ltd\nhome_currency,EUR\n")
    import_folder(book, folder)
    content = book_content(book)
    assert [r[3] for r in content["payments"]] == [__import__("decimal").Decimal("333.33")]
    assert book.settings().business_name == "Me Ltd"
