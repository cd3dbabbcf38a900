import sys

from services.documents.messaging import worker
from shared.kit.cli import run_cli

if __name__ == "__main__":
    sys.exit(run_cli("documents", worker=worker.main, app_path="services.documents:create_app()"))
