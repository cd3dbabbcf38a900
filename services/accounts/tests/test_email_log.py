"""marketing.submission.emailed on the account's communication log: an outbound email
entry with the message as sent, once per Message-ID."""
from __future__ import annotations

import copy
import uuid

from sqlalchemy import func, select

from services.accounts.messaging.handlers import HANDLERS
from services.accounts.models import Client, Communication
from shared import testing
from shared.kit.audit import history
from shared.kit.consumer import Rejected

EVENT = "marketing.submission.emailed"


def _deliver(db, settings, envelope):
    return testing.deliver(db, HANDLERS, envelope, consumer_name="accounts", settings=settings)


def _seed(db, client_id, program="transportation"):
    with db.transaction() as session:
        session.add(Client(id=client_id, program=program, name="Delta Valley Freight LLC",
                           name_key="delta valley freight llc", status="client", account_manager="am.garcia"))


def test_every_golden_example_is_logged_once_as_an_outbound_email(db, settings, http, auth):
    for envelope in testing.examples(EVENT):
        data = envelope["data"]
        _seed(db, data["client_id"])
        assert _deliver(db, settings, envelope) == "processed"
        assert _deliver(db, settings, envelope) == "duplicate"
        again = {**copy.deepcopy(envelope), "id": str(uuid.uuid4())}  # the same email, republished
        assert _deliver(db, settings, again) == "processed"
        with db.transaction() as session:
            (entry,) = session.scalars(select(Communication)).all()
            assert (entry.kind, entry.direction, entry.message_id) == ("email", "outbound", data["message_id"])
            assert (entry.sender, entry.recipients) == (data["sender"], data["recipients"])
            assert entry.subject == data["subject"] and entry.contact == data["market_name"]
            assert entry.body.startswith(data["body"])
            for attachment in data["attachments"]:
                assert attachment["filename"] in entry.body and attachment["document_id"] in entry.body
            assert entry.occurred_at.isoformat().startswith(data["sent_at"][:19])
            assert entry.author == "service:marketing"
            assert [e["action"] for e in history(session, "communication", entry.id)] == ["communication.logged"]
        listed = http.get(f"/api/v1/clients/{data['client_id']}/communications?kind=email",
                          headers=auth()).get_json()["items"]
        assert [item["subject"] for item in listed] == [data["subject"]]


def test_an_email_about_an_unknown_client_or_the_wrong_program_is_dead_lettered(db, settings):
    [envelope] = testing.examples(EVENT)
    outcome = _deliver(db, settings, envelope)
    assert isinstance(outcome, Rejected) and outcome.kind == "unknown_client"
    _seed(db, envelope["data"]["client_id"], program="pest-control")
    outcome = _deliver(db, settings, {**envelope, "id": str(uuid.uuid4())})
    assert isinstance(outcome, Rejected) and outcome.kind == "program_mismatch"
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Communication)) == 0
