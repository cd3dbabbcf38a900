"""Markets, golden events, outbox readers and quote messages shared by marketing's tests."""
from __future__ import annotations

import copy
import json
import uuid
from datetime import date, timedelta

from sqlalchemy import select, update

from services.marketing.domain import markets as market_rules
from services.marketing.domain import submissions
from services.marketing.messaging.handlers import HANDLERS
from services.marketing.models import Submission
from shared import testing
from shared.contracts.envelope import EnvelopeSchema, build_envelope, version_of
from shared.contracts.registry import contract
from shared.kit.db import OUTBOX, utcnow

GOLDEN_SUBMISSION = "5e6f7a8b-1111-4222-8333-944455556666"
CLIENT_ID = "3f9a2c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c"


def market_body(market_id="golden-state-casualty", **overrides) -> dict:
    body = {
        "id": market_id, "name": market_id.replace("-", " ").title(), "kind": "carrier",
        "carrier_name": market_id.replace("-", " ").title() + " Company", "naic_code": "23456",
        "admitted": True, "am_best_rating": "A", "channel": "queue", "broker_user": f"carrier-{market_id}",
        "email": None, "appetite": {"lines": ["GL", "AUTO"], "states": ["CA"],
                                    "min_premium": {"amount": "5000.00", "currency": "USD"},
                                    "max_premium": {"amount": "250000.00", "currency": "USD"}},
        "commission_percent": "12.50", "active": True,
    }
    body.update(overrides)
    return body


GOLDEN_MARKETS = ("golden-state-casualty", "pacific-crest-specialty")


def add_markets(db, *market_ids) -> None:
    from services.marketing.api.schemas import MarketCreateSchema

    with db.transaction() as session:
        for market_id in market_ids:
            market_rules.create_market(session, MarketCreateSchema().load(market_body(market_id)), "test")


def deliver(db, envelope, **kwargs):
    return testing.deliver(db, HANDLERS, envelope, consumer_name="marketing", **kwargs)


def deliver_accounts_examples(db) -> None:
    """The golden client, its two policies and both renewal notices, as accounts sends them."""
    for event_type in ("accounts.client.registered", "accounts.policy.recorded", "accounts.renewal.due"):
        for envelope in testing.examples(event_type):
            assert deliver(db, envelope) == "processed"


def golden_submission_sent(db) -> str:
    """The golden renewal (GL and AUTO) sent to both golden markets, with the id the golden
    quote examples answer."""
    deliver_accounts_examples(db)
    add_markets(db, *GOLDEN_MARKETS)
    with db.transaction() as session:
        draft = session.scalars(select(Submission).where(Submission.client_id == CLIENT_ID)).one()
        session.execute(update(Submission).where(Submission.id == draft.id).values(id=GOLDEN_SUBMISSION))
    with db.transaction() as session:
        submission = session.get(Submission, GOLDEN_SUBMISSION)
        submissions.set_markets(session, submission, list(GOLDEN_MARKETS), "user:am.garcia")
        submissions.approve_markets(session, submission, "user:pr.nguyen")
        submissions.send(session, submission, "user:am.garcia", today=date(2026, 11, 27))
    return GOLDEN_SUBMISSION


def broker_user(market_id: str) -> str:
    return f"carrier-{market_id}"


def quote_envelope(data: dict, *, message_id: str | None = None) -> dict:
    return build_envelope(event_type="carrier.quote.submitted", version=1, source=f"carrier:{data['market_id']}",
                          data=data, message_id=message_id or str(uuid.uuid4()), subject=data["submission_id"],
                          correlation_id=None, causation_id=None)


def golden_quote(index: int = 0, **changes) -> dict:
    data = copy.deepcopy(testing.examples("carrier.quote.submitted")[index]["data"])
    data.update(changes)
    return data


def quote_data(submission_id: str, market_id: str, *, ref="Q-1", revision=1, premium="10000.00",
               line="GL", limit="1000000.00", deductible="1000.00", valid_days=30, **extra) -> dict:
    data = {
        "market_id": market_id, "submission_id": submission_id, "carrier_quote_ref": ref, "revision": revision,
        "status": "quoted", "lines": [{
            "line_of_business": line,
            "coverages": [{"code": "CGL" if line == "GL" else "LIAB",
                           "limits": [{"kind": "each_occurrence", "amount": {"amount": limit, "currency": "USD"}}],
                           "deductible": {"kind": "deductible", "amount": {"amount": deductible, "currency": "USD"}},
                           "premium": {"amount": premium, "currency": "USD"}}],
            "premium": {"amount": premium, "currency": "USD"},
        }],
        "taxes_fees": [{"kind": "policy_fee", "amount": {"amount": "150.00", "currency": "USD"}}],
        "valid_until": (utcnow().date() + timedelta(days=valid_days)).isoformat(),
    }
    data.update(extra)
    return data


def emitted(db, event_type: str | None = None) -> list[dict]:
    """The outbox's envelopes (of one type), each checked against the envelope schema and,
    strictly, against its event contract; the exchange and routing key come along."""
    with db.transaction() as session:
        rows = session.execute(select(OUTBOX.c.exchange, OUTBOX.c.routing_key, OUTBOX.c.body)
                               .order_by(OUTBOX.c.seq)).all()
    envelopes = []
    for exchange, routing_key, body in rows:
        envelope = json.loads(body)
        EnvelopeSchema().load(envelope)
        contract(envelope["type"], version_of(envelope["dataschema"], envelope["type"])).load_strict(envelope["data"])
        if event_type is None or envelope["type"] == event_type:
            envelopes.append({**envelope, "_exchange": exchange, "_routing_key": routing_key})
    return envelopes


# -- API callers and request bodies ------------------------------------------------------

AM = dict(user="am.garcia", roles=("account_manager",))
PRODUCER = dict(user="pr.nguyen", roles=("producer",))
PM = dict(user="pm.ortiz", roles=("program_manager",))


def answer(db, submission_id, index, **changes):
    """Deliver golden quote example ``index`` for ``submission_id`` as its market publishes it."""
    data = golden_quote(index, submission_id=submission_id, **changes)
    return deliver(db, quote_envelope(data), user_id=broker_user(data["market_id"]))


def quote_ids(http, auth, submission_id) -> dict[str, str]:
    items = http.get(f"/api/v1/submissions/{submission_id}/quotes", headers=auth(**AM)).get_json()["items"]
    return {q["market_id"]: q["id"] for q in items}


def new_business(limit="1000000.00") -> dict:
    return {
        "kind": "new_business", "client_id": CLIENT_ID, "effective_date": "2027-03-01",
        "expiration_date": "2028-03-01",
        "specifications": {"GL": {"coverages": [{
            "code": "CGL", "limits": [{"kind": "each_occurrence", "amount": {"amount": limit, "currency": "USD"}}]}]}},
    }


# -- binding ------------------------------------------------------------------------------

def bind_confirmation(db, bind: dict, **changes) -> dict:
    """A carrier.bind.confirmed payload for a bind order (as the API shows it): the market's
    binder for the term it was asked to bind."""
    from services.marketing.models import Bind, Quote

    with db.transaction() as session:
        record = session.get(Bind, bind["id"])
        quote = session.get(Quote, record.quote_id)
        submission = session.get(Submission, record.submission_id)
        effective = (quote.effective_date or submission.effective_date).isoformat()
        ref, revision = quote.carrier_quote_ref, quote.revision
    data = {"market_id": bind["market_id"], "submission_id": bind["submission_id"], "bind_id": bind["id"],
            "carrier_quote_ref": ref, "revision": revision, "binder_number": f"BND-{bind['id'][:8].upper()}",
            "effective_date": effective}
    data.update(changes)
    return data


def carrier_envelope(event_type: str, data: dict, *, message_id: str | None = None) -> dict:
    return build_envelope(event_type=event_type, version=1, source=f"carrier:{data['market_id']}", data=data,
                          message_id=message_id or str(uuid.uuid4()), subject=data.get("submission_id"),
                          correlation_id=None, causation_id=None)


def confirm_bind(db, bind: dict, **changes):
    """The market confirms the bind order over the carrier contract, as its broker user."""
    data = bind_confirmation(db, bind, **changes)
    return deliver(db, carrier_envelope("carrier.bind.confirmed", data), user_id=broker_user(data["market_id"]))


def bind_and_confirm(http, auth, db, quote_id: str, body: dict | None = None, **changes) -> dict:
    """Order the quote bound through the API and have the market confirm it; the bind as
    the API shows it afterwards."""
    response = http.post(f"/api/v1/quotes/{quote_id}/bind", json=body or {}, headers=auth(**AM))
    assert response.status_code == 201, response.get_json()
    bind = response.get_json()
    assert bind["status"] == "requested"
    assert confirm_bind(db, bind, **changes) == "processed"
    return http.get(f"/api/v1/binds/{bind['id']}", headers=auth(**AM)).get_json()
