"""Marketing's own commands: importing a book of markets."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from services.marketing.domain import market_import
from shared.kit.config import load_settings
from shared.kit.db import Database

ACTOR = "cli:import-markets"


def configure_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a JSON list of markets, in the API's create format")


def import_markets(db: Database, entries: list) -> tuple[int, int]:
    """Validate every entry, then upsert them all in one transaction (the same rules as the
    HTTP import, :mod:`services.marketing.domain.market_import`).  Returns (created, updated)."""
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ValueError("the file must hold a JSON list of markets")
    # The carrier simulator's fleet file keeps each simulated market's behaviour under
    # "simulator"; that part is the simulator's, not the market's (the import drops it).
    with db.transaction() as session:
        result = market_import.import_records(session, entries, ACTOR)
        if not result.ok:
            raise ValueError(f"invalid markets: {market_import.error_summary(result.errors)}")
    return result.created, result.updated


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
