"""The worker as deployed, on the embedded broker: it consumes accounts' subscriptions,
publishes the outbox, and runs the renewal scan when it starts."""
from __future__ import annotations

import json
import threading
from datetime import timedelta

from sqlalchemy import func, select

from services.accounts.messaging.worker import main as run_accounts_worker
from services.accounts.models import Activity, RenewalNotice
from services.accounts.tests.helpers import create_client, create_policy
from shared import testing
from shared.kit import broker
from shared.kit.db import OUTBOX, utcnow
from shared.kit.topology import EVENTS, declare_service


def _count(db, statement):
    with db.transaction() as session:
        return session.scalar(statement)


def test_the_worker_consumes_events_publishes_its_outbox_and_scans_renewals(http, auth, db, settings):
    [quote] = testing.examples("marketing.quote.received")
    client = create_client(http, auth())
    create_policy(http, auth(), client["id"], expires=utcnow().date() + timedelta(days=60))
    quote = {**quote, "data": {**quote["data"], "client_id": client["id"]}}
    with broker.connect(settings) as conn:
        declare_service(conn, "accounts")
        conn.Producer().publish(json.dumps(quote).encode(), exchange=EVENTS, routing_key=quote["type"],
                                content_type="application/json", content_encoding="utf-8", message_id=quote["id"])
    stop = threading.Event()
    worker = threading.Thread(target=run_accounts_worker, args=(settings, stop), daemon=True)
    worker.start()
    try:
        testing.wait_for(lambda: _count(db, select(func.count()).select_from(Activity)
                                        .where(Activity.type == "review_quote")) == 1,
                         timeout=20, message="the quote's review activity")
        testing.wait_for(lambda: _count(db, select(func.count()).select_from(RenewalNotice)
                                        .where(RenewalNotice.outcome == "raised")) == 1,
                         timeout=20, message="the renewal scan at start-up")
        testing.wait_for(lambda: _count(db, select(func.count()).select_from(OUTBOX)
                                        .where(OUTBOX.c.sent_at.is_(None))) == 0,
                         timeout=20, message="the outbox published")
    finally:
        stop.set()
        worker.join(timeout=15)
    assert not worker.is_alive()
