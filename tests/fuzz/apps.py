"""Each service's app on a throwaway SQLite database, for schemathesis to call."""
import importlib
import tempfile
from pathlib import Path

from shared import testing
from shared.kit.auth import mint_token
from shared.kit.migrations import upgrade


def service_app(service: str):
    settings = testing.embedded_settings(service, Path(tempfile.mkdtemp(prefix=f"fuzz-{service}-")))
    upgrade(service, settings)
    app = importlib.import_module(f"services.{service}").create_app(settings)
    token = mint_token(settings, "fuzz.admin", roles=["admin"], programs=["*"])
    return app, {"Authorization": f"Bearer {token}"}
