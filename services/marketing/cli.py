"""Marketing's own commands: importing a book of markets."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from marshmallow import ValidationError

from services.marketing.api.schemas import MarketCreateSchema
from services.marketing.domain import markets
from services.marketing.domain.errors import MarketingError
from shared.kit.config import load_settings
from shared.kit.db import Database

ACTOR = "cli:import-markets"
SIMULATOR_KEY = "simulator"


def configure_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a JSON list of markets, in the API's create format")


def import_markets(db: Database, entries: list) -> tuple[int, int]:
    """Validate every entry, then upsert them all in one transaction.  Returns (created, updated)."""
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ValueError("the file must hold a JSON list of markets")
    # The carrier simulator's fleet file keeps each simulated market's behaviour under
    # "simulator"; that part is the simulator's, not the market's.
    entries = [{key: value for key, value in entry.items() if key != SIMULATOR_KEY} for entry in entries]
    try:
        loaded = MarketCreateSchema(many=True).load(entries)
    except ValidationError as exc:
        raise ValueError(f"invalid markets: {json.dumps(exc.messages, default=str)}") from None
    created = updated = 0
    with db.transaction() as session:
        for data in loaded:
            try:
                _market, is_new = markets.upsert_market(session, data, ACTOR)
            except MarketingError as exc:
                raise ValueError(f"market {data['id']}: {exc.detail}") from None
            session.flush()
            created, updated = created + is_new, updated + (not is_new)
    return created, updated


def import_markets_command(args: argparse.Namespace) -> int:
    settings = load_settings("marketing")
    try:
        entries = json.loads(args.file.read_text())
        created, updated = import_markets(Database(settings.database_url), entries)
    except (OSError, ValueError) as exc:
        print(f"import-markets: {exc}")
        return 1
    print(f"import-markets: {created} created, {updated} updated")
    return 0
