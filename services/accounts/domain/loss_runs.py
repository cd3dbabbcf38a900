"""Importing a carrier's loss run (CSV or XLSX) through the carrier's saved column mapping.

All or nothing: every row is checked first, and any problem answers the whole report
(row, column, problem) with nothing changed.  A loss run is the carrier's valuation as
of its date, so a claim already on file (same policy, same claim number) takes the new
figures; a new one is recorded.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.domain.errors import Invalid
from services.accounts.domain.losses import (
    CLAIM_STATUSES, change_claim, claim_by_number, claim_term_problem, record_claim,
)
from services.accounts.models import Client, LossRunMapping, Policy
from shared.kit.audit import audit
from shared.kit.db import utcnow

OUR_FIELDS = ("policy_number", "claim_number", "date_of_loss", "cause", "status", "paid", "reserved", "incurred",
              "recoveries", "description")
REQUIRED_FIELDS = ("claim_number", "date_of_loss", "status")
AMOUNT_FIELDS = ("paid", "reserved", "incurred", "recoveries")
TEXT_LIMITS = {"claim_number": 60, "cause": 120, "description": 5000, "policy_number": 60}
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
MAX_ROWS = 10_000
STATUS_WORDS = {"open": "open", "o": "open", "opened": "open", "pending": "open", "closed": "closed", "c": "closed",
                "close": "closed", "reopened": "reopened", "re-opened": "reopened", "reopen": "reopened",
                "r": "reopened"}
CARRIER_KEY = re.compile(r"^[a-z0-9][a-z0-9 ._&-]{0,119}$")


@dataclass(frozen=True)
class ColumnMapping:
    columns: dict[str, str]
    date_format: str = DEFAULT_DATE_FORMAT


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)

    def counts(self) -> dict:
        return {"claims": len(self.created) + len(self.updated) + len(self.unchanged), "created": len(self.created),
                "updated": len(self.updated), "unchanged": len(self.unchanged)}


class LossRunRejected(Exception):
    """The loss run has problems; ``report`` lists each as {row, column, problem}."""

    def __init__(self, report: list[dict]):
        super().__init__(f"{len(report)} problem(s) in the loss run")
        self.report = report


# -- mappings ---------------------------------------------------------------------------

def carrier_key(carrier: str) -> str:
    key = re.sub(r"\s+", " ", carrier).strip().lower()
    if not CARRIER_KEY.match(key):
        raise Invalid("Not a carrier key.", {"carrier": ["Letters, digits, space, . _ & -; up to 120."]})
    return key


def mapping_problems(columns: dict, date_format: str, *, need_policy_number: bool = False) -> dict:
    """What is wrong with a mapping ({} when nothing)."""
    errors: dict = {}
    unknown = sorted(set(columns) - set(OUR_FIELDS))
    if unknown:
        errors["columns"] = [f"Unknown field(s) {', '.join(unknown)}; fields are {', '.join(OUR_FIELDS)}."]
    missing = [f for f in REQUIRED_FIELDS + (("policy_number",) if need_policy_number else ()) if f not in columns]
    if missing:
        errors.setdefault("columns", []).append(f"Map the field(s) {', '.join(missing)}.")
    headers = [_header(h) for h in columns.values() if isinstance(h, str)]
    if len(headers) != len(columns) or any(not h or len(h) > 200 for h in headers):
        errors.setdefault("columns", []).append("Each field maps to a column header of 1 to 200 characters.")
    elif len(set(headers)) != len(headers):
        errors.setdefault("columns", []).append("Two fields map to the same column.")
    if not _date_format_works(date_format):
        errors["date_format"] = ["A strftime date format such as %m/%d/%Y."]
    return errors


def save_mapping(session: Session, actor: str, carrier: str, mapping: ColumnMapping) -> LossRunMapping:
    problems = mapping_problems(mapping.columns, mapping.date_format)
    if problems:
        raise Invalid("The column mapping did not pass validation.", problems)
    key = carrier_key(carrier)
    row = session.get(LossRunMapping, key)
    if row is None:
        row = LossRunMapping(carrier_key=key)
        session.add(row)
    row.columns, row.date_format = dict(mapping.columns), mapping.date_format
    row.updated_by, row.updated_at = actor, utcnow()
    session.flush()
    audit(session, actor, "loss_run_mapping.saved", "loss_run_mapping", key, columns=row.columns,
          date_format=row.date_format)
    return row


def saved_mapping(session: Session, carrier: str) -> ColumnMapping | None:
    row = session.get(LossRunMapping, carrier_key(carrier))
    return ColumnMapping(dict(row.columns), row.date_format) if row else None


# -- reading the file -------------------------------------------------------------------

def read_table(filename: str, content: bytes) -> list[tuple[int, list]]:
    """The sheet's rows as (row number, cells): the first sheet of an XLSX, or a CSV."""
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise Invalid("The file is not a readable XLSX workbook.", {"file": ["Not an XLSX workbook."]})
    return _read_csv(content)


def _read_xlsx(content: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise Invalid("The file is not a readable XLSX workbook.", {"file": [str(exc)[:200]]}) from None
    try:
        sheet = workbook.worksheets[0]
        return [(number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[tuple[int, list]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise Invalid("The file is neither CSV text nor an XLSX workbook.", {"file": ["Binary content."]})
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(enumerate(csv.reader(io.StringIO(text), dialect), start=1))
    except csv.Error as exc:
        raise Invalid("The CSV file cannot be read.", {"file": [str(exc)]}) from None


# -- checking the rows ------------------------------------------------------------------

@dataclass
class _Row:
    number: int
    policy: Policy
    values: dict


def parse_loss_run(table: list[tuple[int, list]], mapping: ColumnMapping, policies: list[Policy],
                   policy: Policy | None, today: date) -> list[_Row]:
    """Every row checked; raises LossRunRejected with every problem of every row."""
    header_at = next((i for i, (_n, cells) in enumerate(table) if any(_blank(c) is False for c in cells)), None)
    if header_at is None:
        raise LossRunRejected([{"row": 1, "column": None, "problem": "The file is empty."}])
    header_row, header = table[header_at]
    positions = _positions(header, mapping, header_row)
    data = [(n, cells) for n, cells in table[header_at + 1:] if not _skipped(cells)]
    if len(data) > MAX_ROWS:
        raise LossRunRejected([{"row": data[MAX_ROWS][0], "column": None,
                                "problem": f"A loss run has at most {MAX_ROWS} claims."}])
    report: list[dict] = []
    rows: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in data:
        row = _check_row(number, cells, positions, mapping, policies, policy, today, report)
        if row is None:
            continue
        key = (row.policy.id, row.values["claim_number"])
        if key in seen:
            report.append(_problem(number, mapping, "claim_number", f"The claim is also in row {seen[key]}."))
            continue
        seen[key] = number
        rows.append(row)
    if report:
        raise LossRunRejected(report)
    return rows


def _positions(header: list, mapping: ColumnMapping, header_row: int) -> dict[str, int]:
    index = {}
    for position, cell in enumerate(header):
        index.setdefault(_header(cell), position)
    missing = [(ours, theirs) for ours, theirs in mapping.columns.items() if _header(theirs) not in index]
    if missing:
        raise LossRunRejected([{"row": header_row, "column": theirs,
                                "problem": f"No such column in the header (mapped to {ours})."}
                               for ours, theirs in missing])
    return {ours: index[_header(theirs)] for ours, theirs in mapping.columns.items()}


def _check_row(number, cells, positions, mapping, policies, policy, today, report) -> _Row | None:
    values, problems = {}, []

    def cell(name):
        position = positions.get(name)
        return cells[position] if position is not None and position < len(cells) else None

    for name in ("claim_number", "cause", "description", "policy_number"):
        if name in positions:
            values[name] = _text(cell(name), name, problems)
    for name in REQUIRED_FIELDS + (("policy_number",) if policy is None else ()):
        if _blank(cell(name)):
            problems.append((name, "A value is required."))
    values["date_of_loss"] = _date(cell("date_of_loss"), mapping.date_format, problems)
    values["status"] = _status(cell("status"), problems)
    for name in AMOUNT_FIELDS:
        values[name] = _amount(cell(name), name, problems) if name in positions else None
    target = policy
    if not problems:
        target = _term_for(values, policies, policy, today, problems)
    report.extend(_problem(number, mapping, name, text) for name, text in problems)
    return None if problems else _Row(number, target, values)


def _term_for(values, policies, policy, today, problems) -> Policy | None:
    if policy is not None:
        candidates = [policy]
    else:
        candidates = [p for p in policies if p.policy_number == values["policy_number"]]
        if not candidates:
            problems.append(("policy_number", f"The client has no policy {values['policy_number']}."))
            return None
    for candidate in candidates:
        problem = claim_term_problem(candidate, values["date_of_loss"], today)
        if problem is None:
            return candidate
    problems.append(("date_of_loss", problem if len(candidates) == 1 else
                     "The date of loss is outside every term of the policy."))
    return None


def _problem(number: int, mapping: ColumnMapping, name: str, text: str) -> dict:
    return {"row": number, "column": mapping.columns.get(name, name), "problem": text}


def _text(value, name, problems) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a claim number the spreadsheet stored as a number
    text = (value.strip() if isinstance(value, str) else _plain_number(value)).strip()
    if len(text) > TEXT_LIMITS[name]:
        problems.append((name, f"Longer than {TEXT_LIMITS[name]} characters."))
    return text


def _date(value, date_format, problems) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.strptime(str(value).strip(), date_format).date()
    except ValueError:
        problems.append(("date_of_loss", f"Not a date in the format {date_format}: {str(value)[:40]!r}."))
        return None


def _status(value, problems) -> str | None:
    if _blank(value):
        return None
    status = STATUS_WORDS.get(str(value).strip().lower())
    if status is None:
        problems.append(("status", f"Unknown status {str(value)[:40]!r}; one of {', '.join(CLAIM_STATUSES)}."))
    return status


def _amount(value, name, problems) -> Decimal | None:
    """A cell as an exact amount: "1,234.56", "$1,234.56", an XLSX number (its shortest
    decimal form, never float arithmetic); blank is nothing (0, or derived for incurred)."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        problems.append((name, "Not an amount."))
        return None
    text = _plain_number(value) if isinstance(value, (int, float)) else str(value).strip()
    negative = text.startswith("(") and text.endswith(")")
    text = re.sub(r"[\s$,()]", "", text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        problems.append((name, f"Not an amount: {str(value)[:40]!r}."))
        return None
    if not amount.is_finite():
        problems.append((name, "Not an amount."))
        return None
    if negative or amount < 0:
        problems.append((name, "Must not be negative."))
        return None
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        problems.append((name, "More than two decimal places."))
        return None
    if amount >= Decimal("1e12"):
        problems.append((name, "Too large."))
        return None
    return amount


def _plain_number(value) -> str:
    # repr of a float is its shortest round-tripping decimal: 1234.5 -> "1234.5".
    return repr(value) if isinstance(value, float) else str(value)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _skipped(cells: list) -> bool:
    """Blank rows, and the carrier's totals row at the bottom."""
    filled = [c for c in cells if not _blank(c)]
    return not filled or (isinstance(filled[0], str) and filled[0].strip().lower().startswith("total"))


def _header(value) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().lower() if value is not None else ""


def _date_format_works(date_format) -> bool:
    if not isinstance(date_format, str) or "%" not in date_format or len(date_format) > 40:
        return False
    try:
        sample = date(2024, 12, 31)
        return datetime.strptime(sample.strftime(date_format), date_format).date() == sample
    except ValueError:
        return False


# -- importing --------------------------------------------------------------------------

def import_loss_run(session: Session, actor: str, client: Client, table: list[tuple[int, list]],
                    mapping: ColumnMapping, *, policy: Policy | None = None,
                    carrier: str | None = None) -> ImportResult:
    """Check every row, then record or update each claim.  Raises LossRunRejected (nothing
    changed) when any row has a problem."""
    problems = mapping_problems(mapping.columns, mapping.date_format, need_policy_number=policy is None)
    if problems:
        raise Invalid("The column mapping did not pass validation.", problems)
    policies = list(session.scalars(select(Policy).where(Policy.client_id == client.id)))
    rows = parse_loss_run(table, mapping, policies, policy, utcnow().date())
    result = ImportResult()
    for row in rows:
        fields = {k: v for k, v in row.values.items() if k != "policy_number"}
        existing = claim_by_number(session, row.policy.id, fields["claim_number"])
        if existing is None:
            result.created.append(record_claim(session, actor, row.policy, fields, source="loss_run"))
        else:
            changes = {k: v for k, v in fields.items() if v is not None or k in AMOUNT_FIELDS}
            changed = change_claim(session, actor, row.policy, existing, changes, enforce_transitions=False)
            (result.updated if changed else result.unchanged).append(existing)
    audit(session, actor, "loss_run.imported", "client", client.id, carrier=carrier,
          policy_id=policy.id if policy else None, **result.counts())
    return result
