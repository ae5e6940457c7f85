"""The demo book's content as data tables; :mod:`tui.store.demo` turns them into rows.

Every date is an offset in days from ``as_of``, so the demo always has overdue, due-soon and
future milestones. The plans are chosen so that the book shows every feature: each milestone
status, each late-fee kind, an open amount in every aging bucket, part payments, a slow payer,
an unsigned contract with work started, a schedule that does not add up to the fee, a contract
with no schedule, change orders, a hold, a currency without an exchange rate (CHF), delivered
work past its date and never invoiced (to invoice), a promise to pay still pending and one
broken, and a debt later than any the book has seen paid (uncertain in the forecast).
Names and addresses are made up; e-mail domains use the reserved ``.example`` top-level domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

#: (name, role, email, phone) of a contact
ContactRow = tuple[str, str, str, str]


@dataclass(frozen=True)
class ClientProfile:
    """A client and how it pays: ``delay`` is the range of days between due date and payment."""

    name: str
    email: str
    phone: str
    address: str
    work_again: str
    rating: int | None
    notes: str
    feedback: str
    contacts: tuple[ContactRow, ...]
    delay: tuple[int, int]
    method: str


@dataclass(frozen=True)
class MilestonePlan:
    """One milestone: ``due`` in days from as_of; ``pay`` is '' (nothing), 'paid' (in full),
    'two' (in full, in two instalments) or 'part' (``part`` of the amount); at most ``chase``
    ladder steps are logged while it is overdue and unpaid."""

    title: str
    due: int
    status: str = "planned"
    pay: str = ""
    chase: int = 3
    progress: int = 0
    delivered: int | None = None
    part: Decimal = Decimal("0.5")
    #: the day the client promised to pay (offset from as_of) and what was said
    promise: int | None = None
    promise_note: str = ""


@dataclass(frozen=True)
class ChangeOrderPlan:
    """A change order; an accepted one brings its milestones (amounts split from ``delta``)."""

    date: int
    description: str
    delta: str
    status: str
    milestones: tuple[MilestonePlan, ...] = ()


@dataclass(frozen=True)
class ContractPlan:
    """A contract; milestone amounts are ``fee`` (or ``schedule_fee``) split evenly."""

    client: str
    title: str
    currency: str
    fee: str
    start: int
    end: int
    signed: int | None
    status: str
    terms: int
    late: tuple[str, str, str]  # kind, value, fixed compensation
    milestones: tuple[MilestonePlan, ...]
    grace: int = 0
    acceptance: int = 14
    red_flags: str = ""
    notes: str = ""
    schedule_fee: str | None = None
    change_orders: tuple[ChangeOrderPlan, ...] = field(default_factory=tuple)


M = MilestonePlan
BRIGHT = "Bright Ideas [Studio] & Co"
NORTHWIND = "Northwind Analytics GmbH"
UNI = "University of Lindenfeld"
HOLLIS = "Hollis & Marsh Ltd"
KETTLE = "Kettle Corner Café"
POLARIS = "Polaris Health Inc."
FJORD = "Fjord Media AS"
ALPEN = "Alpenglow Outdoor AG"

# fmt: off
CLIENTS: tuple[ClientProfile, ...] = (
    ClientProfile(
        BRIGHT, "accounts@brightideas.example", "+49 30 5557 1180",
        "Torstraße 112, 10119 Berlin", "no", 2,
        "Creative agency; projects come through their account director.",
        "Great briefs, [terrible] payer: every invoice two months late. Ask for 50% upfront.",
        (("Jonas Weber", "main", "jonas@brightideas.example", "+49 30 5557 1181"),
         ("Petra Lang", "payer", "finance@brightideas.example", "+49 30 5557 1182"),
         ("Dana Fischer", "owner", "dana@brightideas.example", "+49 170 5557 118")),
        (60, 75), "bank transfer",
    ),
    ClientProfile(
        NORTHWIND, "team@northwind.example", "+49 89 5557 2040",
        "Leopoldstraße 8, 80802 München", "yes", 5,
        "Series A analytics start-up; fast decisions.", "Pays early, clear feedback.",
        (("Aylin Demir", "main", "aylin@northwind.example", "+49 89 5557 2041"),
         ("Frank Ott", "payer", "ap@northwind.example", ""),
         ("Sven Kaiser", "owner", "sven@northwind.example", "+49 171 5557 204")),
        (-6, 0), "bank transfer",
    ),
    ClientProfile(
        UNI, "webteam@uni-lindenfeld.example", "+49 6221 5557 300",
        "Universitätsplatz 1, 69117 Heidelberg", "yes", 4,
        "Invoices need the purchase order number PO-88213.",
        "Slow purchase orders, but always pays in the end.",
        (("Dr. Miriam Koch", "main", "m.koch@uni-lindenfeld.example", "+49 6221 5557 301"),
         ("Accounts payable", "payer", "kreditoren@uni-lindenfeld.example", "+49 6221 5557 390"),
         ("Prof. Hans Berger", "owner", "dean.it@uni-lindenfeld.example", "")),
        (8, 22), "bank transfer",
    ),
    ClientProfile(
        HOLLIS, "studio@hollismarsh.example", "+44 20 7946 0321",
        "14 Brewer Street, London W1F 0SG", "yes", 4,
        "Boutique homeware retailer; UK company, invoices in GBP.", "Reliable; pays by BACS.",
        (("Olivia Hollis", "main", "olivia@hollismarsh.example", "+44 20 7946 0322"),
         ("Raj Patel", "payer", "accounts@hollismarsh.example", "+44 20 7946 0329"),
         ("Edward Marsh", "owner", "edward@hollismarsh.example", "+44 7700 900321")),
        (0, 6), "BACS",
    ),
    ClientProfile(
        KETTLE, "hallo@kettlecorner.example", "+49 40 5557 7720",
        "Schanzenstraße 41, 20357 Hamburg", "undecided", 3,
        "Local café; the owner decides everything.", "Friendly, but argues over every photo.",
        (("Lea Brandt", "main", "lea@kettlecorner.example", "+49 40 5557 7721"),
         ("Maria Kessler", "owner", "maria@kettlecorner.example", "+49 160 5557 772")),
        (0, 5), "card",
    ),
    ClientProfile(
        POLARIS, "hello@polarishealth.example", "+1 415 555 0142",
        "500 Howard St, San Francisco, CA 94105", "undecided", 3,
        "US health start-up; invoices in USD.", "Scope grows every sprint: insist on change orders.",
        (("Chris Morgan", "main", "chris@polarishealth.example", "+1 415 555 0143"),
         ("Nina Alvarez", "payer", "ap@polarishealth.example", "+1 415 555 0150"),
         ("Sam Okafor", "owner", "sam@polarishealth.example", "+1 415 555 0199")),
        (4, 14), "wire transfer",
    ),
    ClientProfile(
        FJORD, "post@fjordmedia.example", "+47 22 55 57 40",
        "Grünerløkka 3, 0552 Oslo", "undecided", 3,
        "Media agency; invoices in EUR.", "Cancelled mid-project after losing funding.",
        (("Ingrid Haugen", "main", "ingrid@fjordmedia.example", "+47 22 55 57 41"),
         ("Ola Nordmann", "payer", "faktura@fjordmedia.example", ""),
         ("Kari Berg", "owner", "kari@fjordmedia.example", "+47 900 55 574")),
        (-3, 2), "bank transfer",
    ),
    ClientProfile(
        ALPEN, "info@alpenglow.example", "+41 44 555 12 60",
        "Seestrasse 20, 8002 Zürich", "undecided", None,
        "New client; invoices in CHF.", "",
        (("Luca Meier", "main", "luca@alpenglow.example", "+41 44 555 12 61"),
         ("Sabine Frei", "payer", "buchhaltung@alpenglow.example", "")),
        (-2, 1), "bank transfer",
    ),
)

#: statutory interest: 8 points over the reference rate; the preset (UK for GBP, else EU)
#: follows from the contract's currency
STATUTORY = ("statutory", "8", "0")
ANNUAL = ("annual", "8", "40.00")

CONTRACTS: tuple[ContractPlan, ...] = (
    ContractPlan(BRIGHT, "Brand refresh", "EUR", "18000.00", -260, -110, -265, "completed", 30,
                 STATUTORY, (
        M("Discovery workshop", -230, "invoiced", "paid"),
        M("Moodboards and direction", -200, "invoiced", "paid"),
        M("Logo and identity system", -170, "invoiced", "paid"),
        M("Brand guidelines", -140, "invoiced", "part", part=Decimal("0.4")),
        M("Templates pack", -120, "invoiced", promise=-30,
          promise_note="Promised by e-mail after the firm reminder; nothing came."),
    )),
    ContractPlan(BRIGHT, "Campaign microsite", "EUR", "9600.00", -110, 40, -112, "active", 30,
                 STATUTORY, (
        M("Deposit", -95, "invoiced", "paid"),
        M("Design sign-off", -75, "invoiced", chase=2),
        M("Build and CMS", 10, "in_progress", progress=60),
        M("Launch", 40),
    ), acceptance=10, red_flags="Asked to start before the deposit was paid."),
    ContractPlan(NORTHWIND, "Analytics dashboard MVP", "EUR", "24000.00", -265, -90, -270,
                 "completed", 30, ANNUAL, (
        M("Kick-off and data audit", -235, "invoiced", "paid"),
        M("Data pipeline", -205, "invoiced", "paid"),
        M("Dashboard v1", -175, "invoiced", "two"),
        M("User testing", -145, "invoiced", "paid"),
        M("Dashboard v2", -120, "invoiced", "paid"),
        M("Hand-over", -95, "invoiced", "paid"),
    ), grace=5),
    ContractPlan(NORTHWIND, "Dashboard phase 2", "EUR", "16000.00", -60, 170, -62, "active", 30,
                 ANNUAL, (
        M("Data model and API", -28, "invoiced", "paid"),
        M("Reporting module", 12, "delivered", delivered=-18),
        M("Alerts and exports", 60, "in_progress", progress=30),
        M("Hand-over and training", 120),
    ), grace=5, acceptance=10, change_orders=(
        ChangeOrderPlan(-30, "Single sign-on (SAML) for enterprise customers", "3000.00",
                        "accepted", (M("SSO integration", 90), M("SSO roll-out support", 150))),
    )),
    ContractPlan(UNI, "Research portal redesign", "EUR", "32000.00", -245, 180, -250, "active", 45,
                 ("none", "0", "0"), (
        M("Stakeholder interviews", -215, "invoiced", "paid"),
        M("Information architecture", -185, "invoiced", "paid"),
        M("Visual design", -155, "invoiced", "two"),
        M("Front-end templates", -125, "invoiced", "paid"),
        M("CMS integration", -95, "invoiced", "paid"),
        M("Search and filters", -60, "invoiced", "paid"),
        M("Accessibility fixes", -2, "invoiced"),
        M("Content migration", 40, "in_progress", progress=45),
        M("Launch", 100),
        M("Support and warranty", 175),
    )),
    ContractPlan(UNI, "Accessibility audit 2027", "EUR", "6500.00", 30, 90, None, "draft", 45,
                 ("none", "0", "0"), (),
                 notes="Quote sent; the milestone schedule is to be agreed with procurement."),
    ContractPlan(HOLLIS, "Shop rebuild", "GBP", "21000.00", -160, 60, -165, "active", 30,
                 STATUTORY, (
        M("Discovery and specification", -130, "invoiced", "paid"),
        M("Theme design", -100, "invoiced", "paid"),
        M("Product catalogue", -70, "invoiced", "paid"),
        M("Catalogue migration", -40, "invoiced", "part", chase=2),
        M("Checkout and payments", 5, "invoiced"),
        M("Launch", 35, "in_progress", progress=50),
        M("Post-launch care", 60),
    ), change_orders=(ChangeOrderPlan(-3, "Gift cards and store credit", "1800.00", "proposed"),)),
    ContractPlan(HOLLIS, "SEO retainer", "GBP", "4500.00", -190, -5, -195, "completed", 14,
                 STATUTORY, tuple(
        M(f"Retainer month {n}", -170 + 30 * (n - 1), "invoiced", "paid") for n in range(1, 7)
    ), acceptance=7),
    ContractPlan(KETTLE, "Website and online ordering", "EUR", "4800.00", -100, 30, -102,
                 "active", 14, ("flat", "40.00", "0"), (
        M("Deposit", -85, "invoiced", "paid"),
        M("Menu and photos", -25, "disputed", chase=1),
        M("Online ordering", -5, "invoiced", chase=0),
        M("Launch and training", 25, "in_progress", progress=70),
    ), grace=7, acceptance=7),
    ContractPlan(POLARIS, "Patient app prototype", "USD", "24000.00", -180, 90, -185, "active", 30,
                 ("monthly", "1.5", "0"), (
        M("UX research", -150, "invoiced", "paid"),
        M("Clickable prototype", -105, "invoiced", "two"),
        M("iOS beta", -12, "invoiced", chase=1, promise=4,
          promise_note="Nina on the phone: in next Monday's payment run."),
        M("Android beta", 30, "in_progress", progress=40),
        M("Store release", 75),
    ), grace=3, schedule_fee="22500.00",
       notes="The schedule covers 22,500 of the 24,000 fee: the analytics add-on is not "
             "scheduled yet."),
    ContractPlan(POLARIS, "Clinician onboarding flow", "USD", "8000.00", -20, 70, None, "active",
                 14, ("percent", "5", "0"), (
        M("Flow design", -6, "delivered", delivered=-9),
        M("Implementation", 35, "in_progress", progress=20),
        M("QA and hand-over", 70),
    ), acceptance=10, notes="Signed copy promised 'next week' since the kick-off."),
    ContractPlan(FJORD, "Video platform integration", "EUR", "15000.00", -235, -60, -238,
                 "cancelled", 30, ("monthly", "2", "0"), (
        M("Architecture", -210, "invoiced", "paid"),
        M("Player integration", -180, "written_off", "part", chase=2, part=Decimal("0.3")),
        M("Live streaming", -150, "cancelled", progress=20),
        M("Viewer analytics", -120, "cancelled"),
    ), notes="Cancelled after the client lost funding; 30% of phase 2 settled."),
    ContractPlan(FJORD, "Podcast website", "EUR", "7200.00", -130, 30, -132, "paused", 30,
                 ("percent", "4", "0"), (
        M("Design", -100, "invoiced", "paid"),
        M("Build", -52, "invoiced"),
        M("Episode import", 20, "in_progress", progress=50),
        M("Launch", 45),
    ), grace=5, notes="Paused after the firm reminder on the build milestone.", change_orders=(
        ChangeOrderPlan(-70, "Second language (Norwegian)", "1200.00", "rejected"),
    )),
    ContractPlan(ALPEN, "Booking widget", "CHF", "3600.00", -45, 45, -50, "active", 30,
                 ("none", "0", "0"), (
        M("Widget prototype", -15, "invoiced", "paid"),
        M("Integration", 16, "delivered", delivered=-4),
        M("Go-live", 45),
    )),
)

#: (client, contract, seq, reason, until offset, released offset or None): the disputed
#: milestone is on hold now; Bright Ideas' broken payment plan is an earlier, released hold.
HOLDS: tuple[tuple[str, str, int, str, int, int | None], ...] = (
    (KETTLE, "Website and online ordering", 2,
     "Owner unhappy with the photo shoot; re-shoot agreed, payment after it.", 14, None),
    (BRIGHT, "Brand refresh", 4,
     "Payment plan agreed by phone: three instalments.", -50, -50),
)
# fmt: on

SETTINGS: dict[str, str] = {
    "home_currency": "EUR",
    "timezone": "Europe/Berlin",
    "business_name": "Mara Lindqvist Studio",
    "signature": "Mara Lindqvist\nDesign & front-end development\nmara@lindqvist.example",
    "opening_balance": "8500.00",
    # a freelancer's usual rule of thumb: put 30 % of what comes in aside for income tax
    "tax_reserve_percent": "30",
}
OPENING_BALANCE_DAYS_BEFORE = 30
EXCHANGE_RATES: dict[str, str] = {"GBP": "1.17", "USD": "0.92"}

#: (name, amount, cadence, anchor, end offset or None, category); the anchor is a day of the
#: month ("dom:N": first such day after the opening balance date), a weekday ("dow:N", 0 =
#: Monday) or an offset from as_of ("day:N"). Category ``tax`` marks the tax payments the
#: forecast's tax reserve is spent on.
EXPENSES: tuple[tuple[str, str, str, str, int | None, str], ...] = (
    ("Studio rent", "950.00", "monthly", "dom:1", None, "rent"),
    ("Web hosting and domains", "38.00", "monthly", "dom:31", None, "software"),
    ("Design and development software", "89.99", "monthly", "dom:15", None, "software"),
    ("Coworking day passes", "60.00", "weekly", "dow:3", 120, "office"),
    ("Health insurance", "495.00", "monthly", "dom:1", None, "insurance"),
    ("Accountant", "420.00", "quarterly", "day:38", None, "services"),
    ("Income tax prepayment", "3200.00", "quarterly", "day:16", None, "tax"),
    ("Professional indemnity insurance", "684.00", "yearly", "day:137", None, "insurance"),
    ("New laptop", "2449.00", "once", "day:19", None, "equipment"),
)
