"""The worker process end to end: a request published on the broker is consumed,
rendered and stored, and the relay publishes documents.document.generated."""
import json
import threading
import uuid

import pytest
from sqlalchemy import func, select

from services.documents.domain.store import file_store
from services.documents.messaging.handlers import handlers_for
from services.documents.models import Document
from services.documents.tests.helpers import make_env
from services.documents.tests.payloads import golden_request, request_envelope
from shared import testing
from shared.kit import broker
from shared.kit.db import OUTBOX, Database
from shared.kit.topology import EVENTS, declare_service
from shared.kit.worker import run_worker


@pytest.fixture(params=["embedded", pytest.param("rabbitmq_postgresql", marks=[pytest.mark.rabbitmq, pytest.mark.postgres])])
def settings(request, tmp_path):
    if request.param == "embedded":
        return make_env(tmp_path)
    return make_env(tmp_path, broker_url=request.getfixturevalue("rabbit_url"),
                    database_url=request.getfixturevalue("postgres_url_for")("documents_worker"))


def publish(settings, envelope: dict) -> None:
    with broker.connect(settings) as conn:
        declare_service(conn, "documents")
        conn.Producer().publish(json.dumps(envelope).encode(), exchange=EVENTS, routing_key=envelope["type"],
                                content_type="application/json", content_encoding="utf-8",
                                message_id=envelope["id"], delivery_mode=2)


def test_worker_renders_a_published_request_and_relays_the_generated_event(settings):
    data = golden_request("proposal_docx")
    data["request_id"] = f"worker-{uuid.uuid4()}"
    publish(settings, request_envelope(data))
    db = Database(settings.database_url)
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=("documents", handlers_for(file_store(settings))),
                              kwargs={"settings": settings, "stop": stop}, daemon=True)
    worker.start()
    try:
        def relayed():
            with db.transaction() as session:
                made = session.scalar(select(func.count()).select_from(Document).where(Document.request_id == data["request_id"]))
                sent = session.scalar(select(func.count()).select_from(OUTBOX).where(OUTBOX.c.sent_at.is_not(None)))
            return made == 1 and sent >= 1
        testing.wait_for(relayed, timeout=30, message="document rendered and event relayed")
    finally:
        stop.set()
        worker.join(timeout=15)
        db.dispose()
    assert not worker.is_alive()
