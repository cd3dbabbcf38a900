"""The documents worker: the consumer of document requests and the outbox relay."""
from services.documents.domain.store import file_store
from services.documents.messaging.handlers import handlers_for
from shared.kit.config import load_settings
from shared.kit.worker import run_worker


def main() -> None:
    settings = load_settings("documents")
    run_worker("documents", handlers_for(file_store(settings)), settings=settings)
