"""A realistic accounts book, written straight into PostgreSQL with COPY, for the scale
benchmark (``bench.accounts_scale``).

For ``n`` clients: ``3n`` policy terms (typed coverage records, renewal chains, a few
cancelled or lapsed), ``10n`` activities (about a fifth open), the renewal notices and
open renewal activities the renewal scan would have raised, and each client's new-account
checklist.  Clients spread over eight programs of unequal size and ~50 account managers
(each in one or two programs); expirations spread over the year.  The same seed and ``n``
give the same book, and every size has the same distributions.

Loading drops the tables' secondary indexes, copies with foreign-key triggers off
(``session_replication_role = replica``: the rows are consistent by construction),
rebuilds the indexes and runs VACUUM ANALYZE, as a steady-state database would be.
"""
from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone
from decimal import Decimal

import psycopg

from services.accounts.domain.activities import ACTIVITY_TYPES
from services.accounts.domain.checklists import template_for

# (program, share of the book, credential kinds its clients hold, business nouns)
PROGRAMS = (
    ("transportation", 0.24, ("DMV_CA", "USDOT", "MC"), ("Trucking", "Freight", "Logistics", "Transport", "Hauling")),
    ("construction", 0.20, ("CSLB_LICENSE", "WCIRB_BUREAU"), ("Construction", "Builders", "Contractors", "Paving")),
    ("pest_control", 0.12, ("SPCB_REGISTRATION", "DPR_LICENSE"), ("Pest Control", "Exterminators", "Termite")),
    ("movers", 0.10, ("BHGS_PERMIT", "USDOT"), ("Moving", "Movers", "Relocation", "Storage")),
    ("passenger_carriers", 0.08, ("CPUC_TCP",), ("Limousine", "Shuttle", "Charter", "Transit")),
    ("landscaping", 0.10, ("CSLB_LICENSE",), ("Landscaping", "Tree Service", "Gardens", "Irrigation")),
    ("manufacturing", 0.09, ("WCIRB_BUREAU",), ("Manufacturing", "Fabrication", "Machine Works", "Industries")),
    ("hospitality", 0.07, (), ("Restaurant Group", "Hotels", "Catering", "Cafe")),
)
PROGRAM_LINES = {
    "transportation": ("AUTO", "GL", "CARGO", "WC", "UMB"),
    "construction": ("GL", "WC", "AUTO", "UMB", "IM", "BOND"),
    "pest_control": ("GL", "PROF", "POLL", "AUTO", "WC"),
    "movers": ("AUTO", "CARGO", "GL", "WC", "IM"),
    "passenger_carriers": ("AUTO", "GL", "WC", "UMB"),
    "landscaping": ("GL", "AUTO", "WC", "IM"),
    "manufacturing": ("PROP", "GL", "WC", "UMB", "AUTO"),
    "hospitality": ("PROP", "GL", "WC", "UMB"),
}
PLACES = (
    "Golden", "Pacific", "Sierra", "Valley", "Coastal", "Redwood", "Summit", "Bay", "Delta", "Eagle", "Central",
    "Western", "Premier", "Allied", "Express", "Harbor", "Mission", "Canyon", "Desert", "Orchard", "Pioneer",
    "Liberty", "Capitol", "Sunset", "Mesa", "Crown", "Heritage", "Frontier", "Granite", "Cypress", "Oak",
    "Cedar", "Pine", "Willow", "Rancho", "Vista", "Del Mar", "San Joaquin", "Sacramento", "Fresno", "Bakersfield",
    "Inland", "Tri-County", "North State", "South Coast", "Blue Ridge", "Silver", "Iron", "Diamond", "Apex",
)
SURNAMES = (
    "Garcia", "Nguyen", "Smith", "Johnson", "Martinez", "Lopez", "Kim", "Patel", "Brown", "Davis", "Rodriguez",
    "Wilson", "Anderson", "Chen", "Hernandez", "Gonzalez", "Lee", "Walker", "Young", "Allen", "Wright", "Scott",
    "Torres", "Ramirez", "Flores", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Phillips", "Evans",
    "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper",
    "Peterson", "Reed", "Bailey", "Bell", "Gomez", "Kelly", "Howard", "Ward", "Cox", "Diaz", "Richardson", "Wood",
    "Watson", "Brooks", "Bennett", "Gray", "James", "Reyes", "Cruz", "Hughes", "Price", "Myers", "Long", "Foster",
    "Sanders", "Ross", "Morales", "Powell", "Sullivan", "Russell", "Ortiz", "Jenkins", "Gutierrez", "Perry",
    "Butler", "Barnes", "Fisher", "Henderson", "Coleman", "Simmons", "Patterson", "Jordan", "Reynolds", "Hamilton",
    "Graham", "Kim", "Alvarez", "Castillo", "Sandoval", "Vargas", "Mendoza", "Tran", "Le", "Pham", "Singh", "Khan",
)
SUFFIXES = ("LLC", "Inc.", "Corp.", "Co.", "LLC", "Inc.", "Enterprises LLC", "& Sons Inc.", "Group LLC", "LP")
STREETS = ("St", "Ave", "Blvd", "Rd")
ENTITY_TYPES = ("llc", "corporation", "corporation", "llc", "partnership", "sole_proprietor")
CITIES = (("Sacramento", "95814"), ("Fresno", "93721"), ("Oakland", "94607"), ("San Jose", "95113"),
          ("Los Angeles", "90012"), ("San Diego", "92101"), ("Bakersfield", "93301"), ("Stockton", "95202"),
          ("Riverside", "92501"), ("Modesto", "95354"), ("Redding", "96001"), ("Salinas", "93901"))
# (carrier, NAIC, admitted, wholesaler)
MARKETS = (
    ("Sierra Mutual Insurance Company", "12345", True, None),
    ("Golden Bear Casualty Company", "23456", True, None),
    ("Pacific Indemnity Group", "34567", True, None),
    ("Redwood Fire & Casualty", "45678", True, None),
    ("Summit Specialty Insurance", "56789", False, "Coastal Wholesale Brokers"),
    ("Frontier Excess & Surplus", "67890", False, "Harbor Program Underwriters"),
    ("Canyon National Insurance", "13579", True, None),
    ("Mesa Underwriters Specialty", "24680", False, "Coastal Wholesale Brokers"),
    ("State Compensation Insurance Fund", "35076", True, None),
    ("Liberty Crown Surety", "11223", True, None),
)
LINE_PREMIUM = {"GL": (2500, 60000), "AUTO": (6000, 180000), "WC": (3000, 150000), "PROP": (2000, 80000),
                "UMB": (1500, 40000), "PROF": (1500, 25000), "IM": (800, 12000), "POLL": (1500, 20000),
                "CARGO": (1200, 30000), "BOND": (500, 8000)}
# Weighted activity types of the diary (the renewal ones are also raised per policy below).
ACTIVITY_MIX = (("follow_up", 30), ("request_renewal_info", 10), ("send_application", 8), ("order_loss_runs", 8),
                ("review_quote", 10), ("review_policy", 9), ("filing_due", 5), ("document_ready", 6),
                ("review_declination", 4), ("review_comparison", 4), ("renewal", 6))
OPEN_SHARE = 0.22
RENEWAL_LEADS = (120, 90, 60, 30)
SCAN_ACTOR = "service:accounts.renewal-scan"


@dataclass
class Book:
    """What the benchmark needs to know about the seeded book to query it."""

    clients: int = 0
    policies: int = 0
    activities: int = 0
    rows: dict = field(default_factory=dict)
    seconds: float = 0.0
    # account manager -> their programs
    managers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # program -> [(client id, name key)] of its clients
    clients_by_program: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


@dataclass
class _Client:
    id: str
    program: str
    name_key: str
    status: str
    manager: str
    assistant: str
    producer: str
    lines: list[str] = field(default_factory=list)
    current: list[tuple[str, str, date, str]] = field(default_factory=list)  # (id, number, exp, status)
    policy_ids: list[str] = field(default_factory=list)


class _Ids:
    """Deterministic UUID4 strings."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, dtime(rng.randrange(15, 24), rng.randrange(60)), tzinfo=timezone.utc)


def _money(low: int, high: int, rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100, 500)) / 100


def _people(rng: random.Random) -> tuple[dict[str, tuple[str, ...]], dict[str, list[str]], list[str], list[str]]:
    """~50 account managers (each in one or two programs, bigger programs get more),
    assistants and producers."""
    surnames = sorted(set(SURNAMES))
    rng.shuffle(surnames)
    names = [n.lower().replace(" ", "") for n in surnames]
    programs = [p for p, *_ in PROGRAMS]
    shares = [s for _, s, *_ in PROGRAMS]
    managers: dict[str, tuple[str, ...]] = {}
    by_program: dict[str, list[str]] = {p: [] for p in programs}
    for i, program in enumerate(programs):  # at least two managers per program
        for j in range(2):
            managers[f"am.{names[2 * i + j]}"] = (program,)
    for name in names[2 * len(programs):50]:
        first = rng.choices(programs, weights=shares)[0]
        chosen = (first,)
        if rng.random() < 0.4:
            second = rng.choices(programs, weights=shares)[0]
            if second != first:
                chosen = (first, second)
        managers[f"am.{name}"] = chosen
    for manager, chosen in managers.items():
        for program in chosen:
            by_program[program].append(manager)
    assistants = [f"csr.{n}" for n in names[50:70]]
    producers = [f"pr.{n}" for n in names[70:85]]
    return managers, by_program, assistants, producers


def _coverages(line: str, premium: Decimal) -> str:
    usd = lambda amount: {"amount": f"{amount:.2f}", "currency": "USD"}  # noqa: E731
    limit = lambda kind, amount: {"kind": kind, "amount": usd(Decimal(amount)) if amount else None}  # noqa: E731
    if line == "GL":
        records = [{"code": "CGL", "limits": [limit("each_occurrence", 1000000), limit("general_aggregate", 2000000),
                                              limit("products_completed_ops_aggregate", 2000000)],
                    "deductible": {"kind": "deductible", "amount": usd(Decimal(2500))}}]
    elif line == "AUTO":
        records = [{"code": "LIAB", "limits": [limit("combined_single_limit", 1000000)]},
                   {"code": "PD", "limits": [], "deductible": {"kind": "deductible", "amount": usd(Decimal(1000))}}]
    elif line == "WC":
        records = [{"code": "WC", "limits": [limit("statutory", None)]},
                   {"code": "EL", "limits": [limit("el_each_accident", 1000000),
                                             limit("el_disease_policy_limit", 1000000),
                                             limit("el_disease_each_employee", 1000000)]}]
    elif line == "UMB":
        records = [{"code": "UMB", "limits": [limit("each_occurrence", 5000000), limit("aggregate", 5000000)],
                    "deductible": {"kind": "self_insured_retention", "amount": usd(Decimal(10000))}}]
    elif line == "PROP":
        records = [{"code": "BLDG", "limits": [limit("building", 2500000)],
                    "deductible": {"kind": "deductible", "amount": usd(Decimal(5000))}},
                   {"code": "BPP", "limits": [limit("contents", 500000)]}]
    else:
        records = [{"code": line, "limits": [limit("each_occurrence", 1000000), limit("aggregate", 2000000)],
                    "deductible": {"kind": "deductible", "amount": usd(Decimal(1000))}}]
    share = premium / len(records)
    for record in records:
        record.setdefault("deductible", None)
        record |= {"description": None, "premium": usd(share.quantize(Decimal("0.01"))), "forms": [], "exclusions": []}
    return json.dumps(records)


# -- generation -------------------------------------------------------------------------

def _generate(n: int, today: date, seed: int):
    """Yields (table, columns, rows) in load order; fills ``book`` on the way."""
    rng = random.Random(seed)
    new_id = _Ids(random.Random(seed + 1))
    managers, managers_of, assistants, producers = _people(rng)
    programs = [p for p, *_ in PROGRAMS]
    shares = [s for _, s, *_ in PROGRAMS]
    detail = {p: (kinds, nouns) for p, _s, kinds, nouns in PROGRAMS}
    book = Book(clients=n, managers=managers, clients_by_program={p: [] for p in programs})

    # Clients ------------------------------------------------------------------------
    clients: list[_Client] = []
    rows = []
    credential_rows = []
    checklist_rows = []
    item_rows = []
    program_of = rng.choices(programs, weights=shares, k=n)
    for i in range(n):
        program = program_of[i]
        kinds, nouns = detail[program]
        r = rng.random()
        if r < 0.45:
            name = f"{rng.choice(PLACES)} {rng.choice(nouns)} {rng.choice(SUFFIXES)}"
        elif r < 0.85:
            name = f"{rng.choice(SURNAMES)} {rng.choice(nouns)} {rng.choice(SUFFIXES)}"
        else:
            name = f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)} {rng.choice(nouns)} {rng.choice(SUFFIXES)}"
        r = rng.random()
        status = "prospect" if r < 0.12 else "former" if r < 0.20 else "client"
        manager = rng.choice(managers_of[program])
        client = _Client(new_id(), program, name.lower(), status, manager, rng.choice(assistants),
                         rng.choice(producers))
        clients.append(client)
        book.clients_by_program[program].append((client.id, client.name_key))
        city, postal = rng.choice(CITIES)
        created = _at(today - timedelta(days=rng.randrange(30, 3650)), rng)
        rows.append((client.id, program, name, client.name_key,
                     f"{rng.choice(SURNAMES)} {rng.choice(nouns)}" if rng.random() < 0.2 else None,
                     rng.choice(ENTITY_TYPES), f"{rng.randrange(10, 99)}{rng.randrange(1000000, 9999999)}",
                     rng.choice(("484121", "238110", "561710", "484210", "485320", "561730", "332710", "722511")),
                     status, f"{rng.randrange(100, 9999)} {rng.choice(PLACES)} {rng.choice(STREETS)}",
                     None, city, "CA", postal, "US", manager, client.producer, client.assistant, created, created))
        for kind in kinds:
            if rng.random() < 0.85:
                credential_rows.append((new_id(), client.id, kind, _credential_number(kind, rng),
                                        today + timedelta(days=rng.randrange(-30, 720)) if kind in
                                        ("DMV_CA", "CSLB_LICENSE", "CPUC_TCP", "BHGS_PERMIT", "DPR_LICENSE") else None))
        template, items = template_for(program, "new_account")
        checklist_id = new_id()
        checklist_rows.append((checklist_id, client.id, None, "new_account", template, f"new_account:{client.id}",
                               manager, created))
        done = len(items) if status != "prospect" and rng.random() < 0.7 else rng.randrange(len(items) + 1)
        for position, item in enumerate(items, start=1):
            finished = position <= done
            item_rows.append((new_id(), checklist_id, position, item["key"], item["label"],
                              rng.choice((manager, client.assistant)) if finished else None,
                              created + timedelta(days=position) if finished else None))
    yield "clients", ("id", "program", "name", "name_key", "dba", "entity_type", "fein", "naics", "status",
                      "address_line1", "address_line2", "city", "state", "postal_code", "country",
                      "account_manager", "producer", "assistant", "created_at", "updated_at"), rows
    yield "credentials", ("id", "client_id", "kind", "number", "expires_on"), credential_rows
    yield "checklists", ("id", "client_id", "policy_id", "kind", "template", "source_key", "created_by",
                         "created_at"), checklist_rows
    yield "checklist_items", ("id", "checklist_id", "position", "key", "label", "done_by", "done_at"), item_rows
    del rows, credential_rows, checklist_rows, item_rows

    # Policies: one slot per (client, line), then earlier terms spread over the slots -----
    total_policies = 3 * n
    slots: list[tuple[_Client, str]] = []
    for client in clients:
        if client.status == "prospect":
            continue
        count = rng.choices((1, 2, 3, 4), weights=(25, 40, 25, 10))[0]
        lines = list(PROGRAM_LINES[client.program][:count])
        client.lines = lines
        slots.extend((client, line) for line in lines)
    slots = slots[:total_policies]
    earlier = [0] * len(slots)
    for index in rng.choices(range(len(slots)), k=max(0, total_policies - len(slots))):
        earlier[index] += 1
    policy_rows = []
    notice_rows = []
    renewal_activity_rows = []
    sequence = 0
    for (client, line), prior in zip(slots, earlier):
        carrier, naic, admitted, wholesaler = rng.choice(MARKETS)
        if client.status == "former":
            latest = today - timedelta(days=rng.randrange(60, 700))
        else:
            latest = today + timedelta(days=rng.randrange(-40, 325))
        low, high = LINE_PREMIUM[line]
        premium = _money(low, high, rng)
        previous_id = None
        terms = prior + 1
        for k in range(terms):
            sequence += 1
            policy_id = new_id()
            expiration = latest - timedelta(days=365 * (terms - 1 - k))
            effective = expiration - timedelta(days=365)
            last = k == terms - 1
            cancellation = (None,) * 6
            if not last:
                status = "renewed"
            elif client.status == "former":
                status = "expired"
            elif rng.random() < 0.03:
                status = "cancelled"
                notice = effective + timedelta(days=rng.randrange(30, 300))
                cancellation = (rng.choice(("non_payment", "insured_request", "underwriting")),
                                rng.choice(("insured", "carrier")), notice, notice + timedelta(days=10),
                                client.manager, _at(notice, rng))
            elif expiration < today and rng.random() < 0.5:
                status = "expired"
            else:
                status = "in_force"
            number = f"{line}-{naic}-{effective.year}-{sequence:08d}"
            term_premium = (premium * Decimal(1 + 0.04 * (k - terms + 1))).quantize(Decimal("0.01"))
            created = _at(effective - timedelta(days=rng.randrange(1, 20)), rng)
            policy_rows.append((policy_id, client.id, line, number, carrier, naic, admitted, wholesaler,
                                naic.lower() if wholesaler is None else None, naic, effective, expiration, status,
                                term_premium, "USD", _coverages(line, term_premium), previous_id,
                                None, None, *cancellation, created, created))
            client.policy_ids.append(policy_id)
            previous_id = policy_id
            if last:
                client.current.append((policy_id, number, expiration, status))
                days = (expiration - today).days
                if status == "in_force" and 0 <= days <= RENEWAL_LEADS[0]:
                    for lead in RENEWAL_LEADS:
                        if days <= lead:
                            scanned = expiration - timedelta(days=lead)
                            notice_rows.append((new_id(), policy_id, lead, "raised", scanned, _at(scanned, rng)))
                    nearest = min(lead for lead in RENEWAL_LEADS if days <= lead)
                    scanned = expiration - timedelta(days=nearest)
                    renewal_activity_rows.append(_activity_row(
                        new_id(), client, policy_id, "request_renewal_info",
                        f"Request renewal information: {line} {number} expires {expiration.isoformat()} "
                        f"({nearest}-day renewal)", scanned + timedelta(days=14), "high" if nearest <= 30 else "normal",
                        client.manager, "open", None, f"{policy_id}:{nearest}", SCAN_ACTOR, _at(scanned, rng), None,
                        None))
                    if rng.random() < 0.4:  # in marketing
                        renewal_activity_rows.append(_activity_row(
                            new_id(), client, policy_id, "renewal", f"Market the renewal of {line} {number}",
                            expiration - timedelta(days=30), "high", client.manager, "open", None, None,
                            client.manager, _at(scanned, rng), None, None))
    book.policies = len(policy_rows)
    yield "policies", ("id", "client_id", "line_of_business", "policy_number", "carrier_name", "naic_code", "admitted",
                       "wholesaler", "market_id", "market_key", "effective_date", "expiration_date", "status",
                       "premium_amount", "premium_currency", "coverages", "replaces_policy_id", "bind_id",
                       "bound_quote_id", "cancellation_reason", "cancellation_requested_by",
                       "cancellation_notice_date", "cancellation_effective_date", "cancelled_by", "cancelled_at",
                       "created_at", "updated_at"), policy_rows
    yield "renewal_notices", ("id", "policy_id", "lead_days", "outcome", "scan_date", "raised_at"), notice_rows
    del policy_rows, notice_rows, slots, earlier

    # Activities: the renewal ones above, then the diary spread over the clients ---------
    total_activities = 10 * n
    activity_rows = renewal_activity_rows[:total_activities]
    weights = [1 + 2 * len(c.policy_ids) for c in clients]
    owners = rng.choices(clients, weights=weights, k=total_activities - len(activity_rows))
    types = [t for t, _w in ACTIVITY_MIX]
    chosen_types = rng.choices(types, weights=[w for _t, w in ACTIVITY_MIX], k=len(owners))
    for client, kind in zip(owners, chosen_types):
        policy_id = None
        about = client.name_key.title()
        if client.policy_ids and (kind != "follow_up" or rng.random() < 0.5):
            policy_id = rng.choice(client.policy_ids)
        r = rng.random()
        assignee = client.manager if r < 0.78 else client.assistant if r < 0.95 else client.producer
        if rng.random() < OPEN_SHARE:
            due = today + timedelta(days=int(rng.triangular(-30, 120, 7)))
            status, completed, outcome = "open", None, None
            created = _at(min(due, today) - timedelta(days=rng.randrange(1, 60)), rng)
        else:
            due = today - timedelta(days=rng.randrange(1, 730))
            status, outcome = "done", rng.choice(("Done.", "Left voicemail; emailed.", "Received and filed.",
                                                  "Sent to client.", "Reviewed; no changes."))
            completed = _at(due + timedelta(days=rng.randrange(-3, 4)), rng)
            created = completed - timedelta(days=rng.randrange(1, 60))
        priority = rng.choices(("normal", "high", "low"), weights=(70, 15, 15))[0]
        activity_rows.append(_activity_row(new_id(), client, policy_id, kind, f"{ACTIVITY_TYPES[kind]}: {about}"[:300],
                                           due, priority, assignee, status, outcome, None,
                                           assignee if rng.random() < 0.7 else SCAN_ACTOR, created, completed,
                                           assignee if status == "done" else None))
    book.activities = len(activity_rows)
    yield "activities", ("id", "client_id", "policy_id", "type", "subject", "details", "due_on", "priority",
                         "assignee", "status", "outcome", "source_event_id", "source_key", "created_by",
                         "completed_by", "created_at", "completed_at", "original_assignee", "follows_id"), activity_rows
    yield "book", None, book


def _activity_row(activity_id, client, policy_id, kind, subject, due, priority, assignee, status, outcome,
                  source_key, created_by, created_at, completed_at, completed_by):
    return (activity_id, client.id, policy_id, kind, subject, None, due, priority, assignee, status, outcome,
            None, source_key, created_by, completed_by, created_at, completed_at, None, None)


def _credential_number(kind: str, rng: random.Random) -> str:
    digits = lambda k: str(rng.randrange(10 ** (k - 1), 10 ** k))  # noqa: E731
    return {"DMV_CA": lambda: "CA" + digits(6), "USDOT": lambda: digits(7), "MC": lambda: "MC" + digits(6),
            "CSLB_LICENSE": lambda: digits(6 + rng.randrange(2)), "CPUC_TCP": lambda: "TCP" + digits(5) + "A",
            "SPCB_REGISTRATION": lambda: "PR" + digits(4), "DPR_LICENSE": lambda: digits(5),
            "BHGS_PERMIT": lambda: "MTR0" + digits(6), "WCIRB_BUREAU": lambda: digits(8)}[kind]()


# -- loading ----------------------------------------------------------------------------

def conninfo(database_url: str) -> str:
    """psycopg's connection string from the SQLAlchemy URL."""
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def seed(database_url: str, clients: int, *, today: date, seed: int = 7, log=print) -> Book:
    """Write the book of ``clients`` clients into the (migrated, empty) database."""
    started = time.perf_counter()
    counts: dict[str, int] = {}
    book = None
    with psycopg.connect(conninfo(database_url), autocommit=True) as conn:
        tables = ("clients", "credentials", "checklists", "checklist_items", "policies", "renewal_notices",
                  "activities")
        dropped = _drop_secondary_indexes(conn, tables)
        conn.execute("SET session_replication_role = replica")
        for table, columns, rows in _generate(clients, today, seed):
            if table == "book":
                book = rows
                continue
            with conn.transaction(), conn.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            counts[table] = len(rows)
        conn.execute("SET session_replication_role = DEFAULT")
        conn.execute("SET maintenance_work_mem = '256MB'")
        for statement in dropped:
            conn.execute(statement)
        for table in tables:
            conn.execute(f"VACUUM (ANALYZE) {table}")
    book.rows, book.seconds = counts, time.perf_counter() - started
    log(f"  seeded {clients:,} clients: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + f" in {book.seconds:.0f} s")
    return book


def _drop_secondary_indexes(conn, tables) -> list[str]:
    """Drop the indexes that back no constraint (rebuilt after the load, much faster than
    maintaining them row by row); returns their CREATE statements."""
    rows = conn.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid =
                             (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)""",
        (list(tables),)).fetchall()
    for name, _definition in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]
