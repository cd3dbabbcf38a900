"""Bulk import of markets: a JSON list in the API's create format (the ``import-markets``
command), or a spreadsheet (CSV or XLSX, one market per row, uploaded over HTTP).  All or
nothing: every row is checked first, and one bad row imports none, with an error report
naming each bad row and what is wrong with it.

Spreadsheet columns (a header row; names are case-insensitive, unknown columns are
refused so a typo never silently drops data): ``id, name, kind, carrier_name, naic_code,
admitted, am_best_rating, channel, broker_user, email, commission_percent, active,
appointment_status, appointment_effective_date``, and
the appetite as ``lines, states, programs, naics, excluded_naics`` (lists separated by
``;`` or ``,``) and ``min_premium, max_premium`` (USD amounts).  Empty cells are absent.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from services.marketing.domain import markets
from services.marketing.domain.errors import MarketingError

SIMULATOR_KEY = "simulator"
SCALAR_COLUMNS = ("id", "name", "kind", "carrier_name", "naic_code", "admitted", "am_best_rating", "channel",
                  "broker_user", "email", "commission_percent", "active", "appointment_status",
                  "appointment_effective_date")
LIST_COLUMNS = ("lines", "states", "programs", "naics", "excluded_naics")
MONEY_COLUMNS = ("min_premium", "max_premium")
COLUMNS = SCALAR_COLUMNS + LIST_COLUMNS + MONEY_COLUMNS
BOOLEAN_COLUMNS = ("admitted", "active")
TRUE, FALSE = ("true", "yes", "y", "1"), ("false", "no", "n", "0")
MAX_ROWS = 5000


class UnreadableFile(ValueError):
    """The upload is not a spreadsheet this import can read."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_records(session: Session, records: list, actor: str, *, first_row: int = 1) -> ImportResult:
    """Validate every record (API create format), then upsert them all; on any error
    nothing is written by the caller (it rolls back) and ``errors`` says, per row, what is
    wrong.  ``first_row`` numbers the first record (2 for a spreadsheet under its header)."""
    from services.marketing.api.schemas import MarketCreateSchema

    result = ImportResult()
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        result.errors.append({"row": None, "market_id": None, "errors": {"_file": ["A list of markets is expected."]}})
        return result
    schema = MarketCreateSchema()
    loaded, seen = [], {}
    for number, record in enumerate(records, start=first_row):
        record = {key: value for key, value in record.items() if key != SIMULATOR_KEY}
        market_id = record.get("id") if isinstance(record.get("id"), str) else None
        try:
            data = schema.load(record)
        except ValidationError as exc:
            result.errors.append({"row": number, "market_id": market_id, "errors": exc.messages})
            continue
        if data["id"] in seen:
            result.errors.append({"row": number, "market_id": data["id"],
                                  "errors": {"id": [f"Market {data['id']} is also on row {seen[data['id']]}."]}})
            continue
        seen[data["id"]] = number
        loaded.append((number, data))
    if result.errors:
        return result
    for number, data in loaded:
        try:
            _market, created = markets.upsert_market(session, data, actor)
        except MarketingError as exc:
            result.errors.append({"row": number, "market_id": data["id"], "errors": {"_row": [exc.detail]}})
            continue
        session.flush()
        result.created, result.updated = result.created + created, result.updated + (not created)
    return result


def records_from_upload(filename: str | None, content_type: str | None, content: bytes) -> list[dict]:
    """The rows of an uploaded CSV or XLSX file as market records."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or (content_type or "").endswith("spreadsheetml.sheet") or content[:2] == b"PK":
        return records_from_rows(_xlsx_rows(content))
    if name.endswith((".csv", ".txt")) or (content_type or "").startswith("text/") or not name:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnreadableFile("The CSV file is not UTF-8 text.") from None
        return records_from_rows(list(csv.reader(io.StringIO(text))))
    raise UnreadableFile("Upload a .csv or .xlsx file.")


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise UnreadableFile(f"The file is not a readable XLSX workbook ({type(exc).__name__}).") from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for _n, row in zip(range(MAX_ROWS + 2), sheet.iter_rows(values_only=True))]
    finally:
        workbook.close()


def records_from_rows(rows: list[list]) -> list[dict]:
    """A header row and data rows (cells as read) to market records; blank rows skipped."""
    rows = [row for row in rows if any(_text(cell) for cell in row)]
    if not rows:
        raise UnreadableFile("The file has no header row.")
    header = [_text(cell).lower() for cell in rows[0]]
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise UnreadableFile(f"Unknown columns: {', '.join(unknown)} (known: {', '.join(COLUMNS)}).")
    if "id" not in header:
        raise UnreadableFile("The header row needs an id column.")
    if len(rows) - 1 > MAX_ROWS:
        raise UnreadableFile(f"At most {MAX_ROWS} markets per file.")
    return [_record(dict(zip(header, row))) for row in rows[1:]]


def _record(cells: dict) -> dict:
    record: dict = {}
    appetite: dict = {}
    for name, cell in cells.items():
        text = _text(cell)
        if not name or text == "":
            continue
        if name in BOOLEAN_COLUMNS:
            lowered = text.lower()
            record[name] = True if lowered in TRUE else False if lowered in FALSE else text
        elif name in LIST_COLUMNS:
            appetite[name] = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        elif name in MONEY_COLUMNS:
            appetite[name] = {"amount": text, "currency": "USD"}
        else:
            record[name] = text
    if appetite:
        record["appetite"] = appetite
    return record


def _text(cell) -> str:
    """A cell as text: numbers without float noise (an XLSX number 12.5 is "12.5", a NAIC
    code stored as a number 23456.0 is "23456"); a date cell as its ISO date."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return format(Decimal(repr(cell)).normalize(), "f") if cell != int(cell) else str(int(cell))
    if isinstance(cell, datetime):
        # A spreadsheet date cell is read as a datetime at midnight: the date it shows.
        return cell.date().isoformat() if cell.time() == time(0) and cell.tzinfo is None else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def error_summary(errors: list[dict]) -> str:
    return json.dumps(errors, default=str)
