"""Request bodies and outbox readers shared by the accounts tests."""
from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from shared.contracts.envelope import EnvelopeSchema, version_of
from shared.contracts.registry import contract
from shared.kit.db import OUTBOX, utcnow


def client_body(**overrides) -> dict:
    body = {
        "program": "transportation", "name": "Delta Valley Freight LLC", "dba": "DVF Trucking",
        "entity_type": "llc", "fein": "12-3456789", "naics": "484121", "status": "client",
        "address": {"line1": "4100 Power Inn Rd", "city": "Sacramento", "state": "CA", "postal_code": "95826"},
        "account_manager": "am.garcia", "producer": "pr.nguyen", "assistant": "as.lee",
        "credentials": [{"kind": "DMV_CA", "number": "CA123456"}, {"kind": "USDOT", "number": "3141592"}],
    }
    body.update(overrides)
    return body


def policy_body(line="GL", number="SMA-GL-2026-0001", *, expires: date | None = None, term_days=365,
                **overrides) -> dict:
    expires = expires or utcnow().date() + timedelta(days=90)
    body = {
        "line_of_business": line, "policy_number": number,
        "market": {"market_id": "sierra-mutual", "carrier_name": "Sierra Mutual Insurance Company",
                   "naic_code": "12345", "admitted": True},
        "period": {"effective_date": (expires - timedelta(days=term_days)).isoformat(),
                   "expiration_date": expires.isoformat()},
        "premium": {"amount": "8990.00", "currency": "USD"},
        "coverages": [{
            "code": "CGL" if line == "GL" else "LIAB",
            "limits": [{"kind": "each_occurrence", "amount": {"amount": "1000000.00", "currency": "USD"}},
                       {"kind": "general_aggregate", "amount": {"amount": "2000000.00", "currency": "USD"}}],
            "deductible": {"kind": "deductible", "amount": {"amount": "2500.00", "currency": "USD"}},
            "premium": {"amount": "8990.00", "currency": "USD"},
        }],
    }
    body.update(overrides)
    return body


def emitted(db, event_type: str | None = None) -> list[dict]:
    """The outbox's envelopes (of one type), each checked against the envelope schema and,
    strictly, against its event contract."""
    with db.transaction() as session:
        rows = session.execute(select(OUTBOX.c.routing_key, OUTBOX.c.body).order_by(OUTBOX.c.seq)).all()
    envelopes = []
    for routing_key, body in rows:
        envelope = json.loads(body)
        EnvelopeSchema().load(envelope)
        assert routing_key == envelope["type"]
        contract(envelope["type"], version_of(envelope["dataschema"], envelope["type"])).load_strict(envelope["data"])
        if event_type is None or envelope["type"] == event_type:
            envelopes.append(envelope)
    return envelopes


def create_client(http, headers, **overrides) -> dict:
    response = http.post("/api/v1/clients", json=client_body(**overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def create_policy(http, headers, client_id, **kwargs) -> dict:
    response = http.post(f"/api/v1/clients/{client_id}/policies", json=policy_body(**kwargs), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()
