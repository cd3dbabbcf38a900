"""``python -m services.marketing migrate|worker|web|token|import-markets FILE.json``."""
from __future__ import annotations

import sys

from services.marketing.cli import configure_import, import_markets_command
from shared.kit.cli import run_cli


def _worker() -> None:
    from services.marketing.messaging.worker import main

    main()


if __name__ == "__main__":
    sys.exit(run_cli(
        "marketing", worker=_worker, app_path="services.marketing:create_app()",
        commands={"import-markets": ("create or update markets from a JSON list (upsert by id)",
                                     import_markets_command, configure_import)},
    ))
