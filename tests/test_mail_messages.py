"""Chase messages that tell the truth (issue 12): attachments, .eml drafts, the legal figures,
the book's locale, one message for several milestones, literal values. Figures by hand."""

from __future__ import annotations

import datetime as dt
import email
import os
import re
from decimal import Decimal
from email import policy
from pathlib import Path
from typing import Any

import pytest
from builders import MemoryBook

from tui.analytics.chase import chase_queue
from tui.config import MailConfig
from tui.domain.model import DEFAULT_TEMPLATES, Client, Contact, Contract, Milestone, Payment
from tui.mail import (
    PLACEHOLDERS,
    Draft,
    MailError,
    check_attachments,
    compose,
    compose_group,
    confirm_server,
    digest,
    fill,
    message_values,
    save_draft,
    send,
    statutory_basis,
    to_email_message,
    unknown_placeholders,
)

D = Decimal
NBSP = "\xa0"
WHEN = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ROW: dict[str, Any] = {
    "client": "Kettle Corner Café",
    "contract": "Shop",
    "seq": 3,
    "contact": "Lea Brandt",
    "contact_email": "lea@kettlecorner.example",
    "milestone": "Online ordering",
    "amount": D("3600.00"),
    "paid": D("1440.00"),
    "open": D("2160.00"),
    "currency": "EUR",
    "due_date": dt.date(2026, 10, 1),
    "days_past_due": 54,
    "invoice_no": "2026-043",
    "late_fee": D("72.44"),
    "late_fee_kind": "none",
    "step": "reminder",
    "step_due": True,
    "waiting": False,
}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """An invoice PDF and a contract PDF with known bytes."""
    invoice = tmp_path / "docs" / "INV-7.pdf"
    invoice.parent.mkdir()
    invoice.write_bytes(PDF)
    contract = tmp_path / "docs" / "contract.pdf"
    contract.write_bytes(PDF + b"contract")
    return invoice, contract


def parsed(path: Path) -> email.message.EmailMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


# ---- .eml drafts and attachments ---------------------------------------------------------------


def test_eml_draft_has_headers_body_and_attachments(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    """From, To, Subject, Date, X-Unsent: 1; the body; each file by name with its exact bytes."""
    invoice, contract = files
    row = {**ROW, "invoice_file": str(invoice), "document": str(contract)}
    subject, body = DEFAULT_TEMPLATES["escalate"]
    draft = compose(row, subject, body, business_name="Mara Studio", attachments=files)
    assert draft.attachments == (invoice, contract)
    path = save_draft(tmp_path / "out" / "m.eml", draft, from_addr="mara@studio.example",
                      from_name="Mara Studio", when=WHEN)  # fmt: skip
    assert path.stat().st_mode & 0o777 == 0o600
    msg = parsed(path)
    assert str(msg["From"]) == "Mara Studio <mara@studio.example>"
    assert str(msg["To"]) == "Lea Brandt <lea@kettlecorner.example>"
    assert str(msg["Subject"]) == "Unpaid: Online ordering for Kettle Corner Café, ref. 2026-043"
    assert msg["Date"].datetime == WHEN
    assert msg["X-Unsent"] == "1"
    assert msg.get_content_type() == "multipart/mixed"
    text = msg.get_body(preferencelist=("plain",))
    assert text is not None and text.get_content() == draft.body
    assert "Attached: the invoice (INV-7.pdf) and the contract (contract.pdf).\n" in draft.body
    parts = list(msg.iter_attachments())
    assert [p.get_filename() for p in parts] == ["INV-7.pdf", "contract.pdf"]
    assert [p.get_content_type() for p in parts] == ["application/pdf", "application/pdf"]
    assert [p.get_content() for p in parts] == [PDF, PDF + b"contract"]


def test_unknown_type_and_non_ascii_file_name(tmp_path: Path) -> None:
    """No MIME type from the name: application/octet-stream; a non-ASCII name reads back."""
    odd = tmp_path / "Rechnung-Müller.xyzq"
    odd.write_bytes(b"\x00\x01\x02")
    draft = Draft("Lea", "lea@x.example", "Hi", "Body\n", attachments=(odd,))
    msg = to_email_message(draft, from_addr="me@x.example")
    (part,) = list(msg.iter_attachments())
    assert part.get_content_type() == "application/octet-stream"
    assert part.get_filename() == "Rechnung-Müller.xyzq" and part.get_content() == b"\x00\x01\x02"
    assert "X-Unsent" not in msg  # only drafts saved as .eml carry it
    assert msg["Date"]  # always set


def test_eml_without_from_is_refused_and_txt_lists_the_files(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    """No From address: an .eml is refused naming the config key; .txt works with the paths."""
    draft = Draft("Lea", "lea@x.example", "Hi", "Body\n", attachments=files)
    target = tmp_path / "m.eml"
    with pytest.raises(MailError, match=r"From address: set from in \[mail\] of the config file"):
        save_draft(target, draft)
    assert not target.exists()
    text = save_draft(tmp_path / "m.txt", draft).read_text(encoding="utf-8")
    assert text == (
        f"To: Lea <lea@x.example>\nSubject: Hi\nAttachment: {files[0]}\nAttachment: {files[1]}\n"
        "\nBody\n"
    )
    assert draft.logged_text() == "Subject: Hi\nAttachments: INV-7.pdf, contract.pdf\n\nBody\n"


def test_missing_attachment_refuses_save_and_send_before_anything_happens(
    tmp_path: Path, files: tuple[Path, Path], smtp_server: tuple[int, Any]
) -> None:
    """A missing file: nothing saved (no file, no folder), nothing reaches the server."""
    gone = tmp_path / "docs" / "INV-8.pdf"
    draft = Draft("Lea", "lea@x.example", "Hi", "Body\n", attachments=(files[0], gone))
    for name in ("new/m.eml", "new/m.txt"):
        with pytest.raises(MailError) as exc:
            save_draft(tmp_path / name, draft, from_addr="me@x.example")
        assert str(exc.value) == (
            f"the attachment {gone} does not exist: fix the milestone's invoice file or the "
            "contract's document, or attach nothing. Nothing was saved or sent."
        )
    assert not (tmp_path / "new").exists()
    port, inbox = smtp_server
    config = MailConfig(host="127.0.0.1", port=port, security="none", from_addr="me@x.example")
    confirmed = tmp_path / "confirmed"
    confirm_server(config, confirmed)
    with pytest.raises(MailError, match=re.escape("INV-8.pdf does not exist")):
        send(config, to_email_message(draft, from_addr=config.sender), confirmed_file=confirmed)
    assert inbox.envelopes == []


def test_a_folder_or_fifo_is_not_an_attachment(tmp_path: Path) -> None:
    """Not a regular file: refused, naming the file."""
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(
        MailError, match=re.escape(f"the attachment {tmp_path} is not a regular file")
    ):
        check_attachments([tmp_path])
    with pytest.raises(MailError, match=re.escape("pipe.pdf is not a regular file")):
        check_attachments([fifo])
    check_attachments([])


def test_an_unreadable_attachment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that cannot be opened (simulated: root reads a mode 000 file): refused, saying so."""
    locked = tmp_path / "INV-9.pdf"
    locked.write_bytes(PDF)
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == locked:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(MailError, match=re.escape("INV-9.pdf cannot be read: Permission denied")):
        check_attachments([locked])


# ---- $attachments ------------------------------------------------------------------------------


def test_attachments_sentence_is_empty_without_files(files: tuple[Path, Path]) -> None:
    """Nothing attached: empty, and the line it ends leaves no trailing space."""
    subject, body = DEFAULT_TEMPLATES["reminder"]
    assert message_values(ROW, "M")["attachments"] == ""
    draft = compose(ROW, subject, body, business_name="M")
    assert "ttach" not in draft.body
    assert "Amount open: 2,160.00 EUR.\nCould you" in draft.body
    invoice, contract = files
    row = {**ROW, "invoice_file": str(invoice), "document": str(contract)}
    assert message_values(row, "M", attachments=[invoice])["attachments"] == (
        "Attached: the invoice (INV-7.pdf)."
    )
    assert message_values(row, "M", attachments=[contract, invoice])["attachments"] == (
        "Attached: the invoice (INV-7.pdf) and the contract (contract.pdf)."
    )
    # a file that is neither the invoice nor the contract is named by its name
    other = invoice.with_name("notes.txt")
    assert message_values(row, "M", attachments=[invoice, other])["attachments"] == (
        "Attached: the invoice (INV-7.pdf) and notes.txt."
    )


def test_no_default_template_claims_an_attachment() -> None:
    """Every step says what is attached through $attachments only."""
    for subject, body in DEFAULT_TEMPLATES.values():
        assert "$attachments" in body and "attached" not in body.lower()
        assert unknown_placeholders(subject, body) == []
        assert "$items" in body


# ---- the legal step ----------------------------------------------------------------------------


def test_legal_message_states_every_figure_from_the_queue() -> None:
    """Invoice 3,600.00, paid 1,440.00, open 2,160.00; statutory EU fee 72.44; claim 2,232.44."""
    book = MemoryBook()
    cid = book.add_client(Client(name="Kettle Corner Café"),
                          [Contact(name="Olga Owner", role="owner", email="olga@kettle.example")])  # fmt: skip
    contract = Contract(title="Shop", currency="EUR", total_fee=D("3600.00"),
                        late_fee_kind="statutory", late_fee_value=D("8"), late_fee_preset="eu")  # fmt: skip
    due = dt.date(2026, 10, 1)
    ms = Milestone(seq=3, title="Online ordering", amount=D("3600.00"), due_date=due,
                   status="invoiced", invoice_no="2026-043", invoiced_on=dt.date(2026, 9, 1))  # fmt: skip
    book.add_contract(cid, contract, [ms])
    mid = int(book.frames().milestones["id"].max())
    book.record_payment(mid, Payment(amount=D("1440.00"), received_on=dt.date(2026, 9, 20)))
    as_of = dt.date(2026, 11, 24)
    (row,) = chase_queue(book.frames(), as_of).iter_rows(named=True)
    # paid before the due date: 2,160.00 bears interest for 2026-10-01 -> 11-24 = 54 days at
    # the EU reference rate in force on the due date (2.15 since 2025-06-11) + 8 = 10.15 %:
    # 2160.00 x 0.1015 x 54 / 365 = 32.4355... -> 32.44, plus 40.00 compensation = 72.44
    assert (as_of - due).days == 54
    assert (row["amount"], row["paid"], row["open"]) == (D("3600.00"), D("1440.00"), D("2160.00"))
    assert row["late_fee"] == D("72.44") and row["late_fee_kind"] == "statutory"
    assert (row["late_fee_preset"], row["reference_rate"], row["fee_rate"]) == (
        "eu", D("2.15"), D("10.15"),
    )  # fmt: skip
    subject, body = DEFAULT_TEMPLATES["legal"]
    draft = compose(row, subject, body, business_name="Mara Studio")
    assert draft.to_line == "Olga Owner <olga@kettle.example>"
    assert draft.subject == "Final notice before legal action: Kettle Corner Café, ref. 2026-043"
    assert draft.body == (
        "Dear Olga Owner,\n\nDespite my reminders, the following remains unpaid:\n\n"
        "- Invoice 2026-043, Online ordering, due 2026-10-01: 2,160.00 EUR open\n\n"
        "Invoice amount: 3,600.00 EUR\nPaid: 1,440.00 EUR\nOpen: 2,160.00 EUR\n"
        "Late fees accrued: 72.44 EUR\nTotal claimed: 2,232.44 EUR\n\n"
        "Late-payment interest is charged under Directive 2011/7/EU on combating late payment "
        "in commercial transactions at 10.15 % a year: the reference rate of 2.15 % plus 8 "
        "points, with fixed compensation for the cost of recovering the debt.\n\n"
        "Unless the total claimed is received within 7 days, I will start proceedings to "
        "recover the debt.\n\nMara Studio\n"
    )


def test_statutory_sentence_uk_and_none() -> None:
    """UK: the 1998 Act, reference rate + 8 %; any other rule: empty, and its line goes."""
    uk = {**ROW, "currency": "GBP", "late_fee_kind": "statutory", "late_fee_preset": "uk",
          "reference_rate": D("4.2500"), "fee_rate": D("12.2500")}  # fmt: skip
    assert statutory_basis(uk) == (
        "Late-payment interest is charged under the Late Payment of Commercial Debts (Interest) "
        "Act 1998 at 12.25 % a year: the reference rate of 4.25 % plus 8 %, with fixed "
        "compensation for the cost of recovering the debt."
    )
    missing = {**uk, "reference_rate": None, "fee_rate": D("8")}  # no rate in force: counted 0
    assert "Act 1998 at the reference rate plus 8 % a year," in statutory_basis(missing)
    assert statutory_basis({**ROW, "late_fee_kind": "annual"}) == ""
    subject, body = DEFAULT_TEMPLATES["legal"]
    text = compose(ROW, subject, body, business_name="M").body
    assert "Total claimed: 2,232.44 EUR\n\nUnless the total claimed" in text


def test_amounts_follow_the_book_locale() -> None:
    """de_DE: 2.160,00 € (a non-breaking space before the sign); none: 2,160.00 EUR."""
    values = message_values(ROW, "M", locale="de_DE")
    assert values["amount"] == values["open"] == f"2.160,00{NBSP}€"
    assert values["invoice_amount"] == f"3.600,00{NBSP}€"
    assert values["paid"] == f"1.440,00{NBSP}€" and values["late_fee"] == f"72,44{NBSP}€"
    assert values["total_claimed"] == f"2.232,44{NBSP}€"
    assert (
        values["items"]
        == f"- Invoice 2026-043, Online ordering, due 2026-10-01: 2.160,00{NBSP}€ open"
    )
    de = {**ROW, "late_fee_kind": "statutory", "late_fee_preset": "eu",
          "reference_rate": D("2.15"), "fee_rate": D("10.15")}  # fmt: skip
    assert "at 10,15 % a year: the reference rate of 2,15 % plus 8 points" in statutory_basis(
        de, "de_DE"
    )
    assert message_values(ROW, "M")["open"] == "2,160.00 EUR"


# ---- one message for several milestones --------------------------------------------------------


def group_rows() -> list[dict[str, Any]]:
    """Three open milestones of one client, hand-picked figures."""
    return [
        {**ROW, "milestone": "Design", "invoice_no": "2026-041", "amount": D("1000.00"),
         "paid": D("0.00"), "open": D("1000.00"), "late_fee": D("10.00"),
         "due_date": dt.date(2026, 9, 15), "days_past_due": 70},
        {**ROW, "milestone": "Build", "invoice_no": "2026-042", "amount": D("2500.50"),
         "paid": D("500.00"), "open": D("2000.50"), "late_fee": D("0.00"),
         "due_date": dt.date(2026, 10, 10), "days_past_due": 45},
        {**ROW},
    ]  # fmt: skip


def test_group_is_one_draft_with_sums_and_each_item(files: tuple[Path, Path]) -> None:
    """Open 1000.00 + 2000.50 + 2160.00 = 5160.50; invoiced 7100.50; paid 1940.00;
    fees 82.44; claimed 5242.94; each milestone on its own line."""
    rows = group_rows()
    invoice, _ = files
    rows[2]["invoice_file"] = str(invoice)
    subject, body = DEFAULT_TEMPLATES["legal"]
    draft = compose_group(rows, subject, body, business_name="Mara", attachments=[invoice])
    assert draft.to_line == "Lea Brandt <lea@kettlecorner.example>"
    assert draft.subject == (
        "Final notice before legal action: Kettle Corner Café, ref. 2026-041, 2026-042 and 2026-043"
    )
    assert (
        "the following remains unpaid:\n\n"
        "- Invoice 2026-041, Design, due 2026-09-15: 1,000.00 EUR open\n"
        "- Invoice 2026-042, Build, due 2026-10-10: 2,000.50 EUR open\n"
        "- Invoice 2026-043, Online ordering, due 2026-10-01: 2,160.00 EUR open\n\n"
        "Invoice amount: 7,100.50 EUR\nPaid: 1,940.00 EUR\nOpen: 5,160.50 EUR\n"
        "Late fees accrued: 82.44 EUR\nTotal claimed: 5,242.94 EUR\n\n"
    ) in draft.body
    assert draft.body.endswith("recover the debt. Attached: the invoice (INV-7.pdf).\n\nMara\n")
    assert draft.attachments == (invoice,)
    reminder = compose_group(rows, *DEFAULT_TEMPLATES["reminder"], business_name="Mara")
    assert reminder.subject == "Payment reminder: 3 milestones (Kettle Corner Café)"
    assert "Amount open: 5,160.50 EUR.\nCould you" in reminder.body
    one = compose_group(rows[2:], *DEFAULT_TEMPLATES["reminder"], business_name="Mara")
    assert one == compose(rows[2], *DEFAULT_TEMPLATES["reminder"], business_name="Mara")
    assert one.subject == "Payment reminder: Online ordering (Kettle Corner Café)"


def test_group_placeholders_and_currencies() -> None:
    """$milestone counts, $due_date the earliest, $days_past_due the most; two currencies are
    summed apart and never converted."""
    rows = group_rows()
    rows[1] = {**rows[1], "currency": "GBP"}
    draft = compose_group(rows, "$milestone|$due_date|$days_past_due|$open|$invoice_no",
                          "", business_name="M")  # fmt: skip
    assert draft.subject == (
        "3 milestones|2026-09-15|70|3,160.00 EUR and 2,000.50 GBP|2026-041, 2026-042 and 2026-043"
    )
    with pytest.raises(MailError, match="no milestone"):
        compose_group([], "s", "b", business_name="M")


# ---- literal values ----------------------------------------------------------------------------


def test_values_and_odd_template_text_stay_literal(tmp_path: Path) -> None:
    """A client called $business_name, values with $, $$, {0.__class__}, %s: inserted once,
    as they are; in the template $$ is the escape for one $, a lone $ and %s stay."""
    row = {**ROW, "client": "$business_name", "milestone": "{0.__class__} %s $$ $",
           "contact": "$contact"}  # fmt: skip
    out = fill("$client|$milestone|$contact|$$|costs $ 5|%s|{0.__class__}|$nope",
               message_values(row, "Mara"))  # fmt: skip
    assert out == "$business_name|{0.__class__} %s $$ $|$contact|$|costs $ 5|%s|{0.__class__}|$nope"
    draft = compose(row, "Re: $client $milestone", "Hi $contact, $client.", business_name="M")
    assert draft.subject == "Re: $business_name {0.__class__} %s $$ $"
    assert draft.body == "Hi $contact, $business_name.\n"


def test_rich_markup_in_a_name_stays_literal(tmp_path: Path) -> None:
    """[bold red]x[/] is text: in the subject, the body and the .eml read back."""
    row = {**ROW, "client": "[bold red]x[/]"}
    draft = compose(row, "Reminder for $client", "Dear $client,\n$items", business_name="M")
    assert draft.subject == "Reminder for [bold red]x[/]"
    assert draft.body.startswith("Dear [bold red]x[/],\n")
    msg = parsed(save_draft(tmp_path / "r.eml", draft, from_addr="me@x.example", when=WHEN))
    assert str(msg["Subject"]) == "Reminder for [bold red]x[/]"
    assert msg.get_content().startswith("Dear [bold red]x[/],\n")


def test_every_placeholder_is_documented() -> None:
    """Each placeholder is named in the module's docstring (the template editor's help)."""
    import tui.mail

    doc = tui.mail.__doc__ or ""
    assert all(f"``${name}``" in doc for name in PLACEHOLDERS), [
        n for n in PLACEHOLDERS if f"``${n}``" not in doc
    ]


# ---- the digest --------------------------------------------------------------------------------


def test_digest_lists_the_steps_due_then_the_waiting() -> None:
    """Subject with the count and day; client, milestone, step, contact, open; waiting apart."""
    rows = group_rows()
    rows[1] = {**rows[1], "step": "firm", "step_due": False, "waiting": True,
               "step_due_on": dt.date(2026, 11, 30)}  # fmt: skip
    note = digest(rows, as_of=dt.date(2026, 11, 24), business_name="Mara",
                  to_email="mara@studio.example")  # fmt: skip
    assert note.to_line == "Mara <mara@studio.example>"
    assert note.subject == "milepay: 2 chase steps due on 2026-11-24"
    assert note.body == (
        "Chase steps due on 2026-11-24:\n"
        "- Kettle Corner Café / Shop #3 Design: reminder, to Lea Brandt "
        "<lea@kettlecorner.example>, 1,000.00 EUR open\n"
        "- Kettle Corner Café / Shop #3 Online ordering: reminder, to Lea Brandt "
        "<lea@kettlecorner.example>, 2,160.00 EUR open\n\n"
        "Waiting (not to take yet):\n"
        "- Kettle Corner Café / Shop #3 Build: firm due on 2026-11-30, to Lea Brandt "
        "<lea@kettlecorner.example>, 2,000.50 EUR open\n"
    )
    one = digest(rows[:1], as_of=dt.date(2026, 11, 24), business_name="Mara")
    assert one.subject == "milepay: 1 chase step due on 2026-11-24"
    none = digest([], as_of=dt.date(2026, 11, 24), business_name="Mara")
    assert none.body == "Chase steps due on 2026-11-24:\n- none\n"
