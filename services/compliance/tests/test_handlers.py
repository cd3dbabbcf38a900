"""Consumer side: every golden example of the events compliance consumes is processed,
duplicates take effect once, and what compliance emits validates against its contract."""
import copy
from datetime import date

import pytest
from sqlalchemy import func, select

from services.compliance.models import CredentialView, Filing, FilingEvent, PolicyTermFact
from services.compliance.tests.conftest import bound_event, envelope, golden
from shared import testing
from shared.contracts.registry import contract
from shared.kit.consumer import Rejected
from shared.kit.db import AUDIT_LOG
from shared.kit.topology import SUBSCRIPTIONS

CONSUMED = ["accounts.client.registered", "accounts.client.updated", "accounts.policy.recorded",
            "accounts.policy.cancelled", "marketing.policy.bound"]
GOLDEN = [(t, i) for t in CONSUMED for i in range(len(testing.examples(t)))]
CLIENT_ID = "3f9a2c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c"


def _count(env, model, *where):
    with env.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _filings(env, *where):
    with env.db.transaction() as session:
        return session.scalars(select(Filing).where(*where).order_by(Filing.rule_id)).all()


def test_compliance_handles_exactly_the_types_it_subscribes_to():
    from services.compliance.messaging.handlers import HANDLERS

    assert set(HANDLERS) == set(SUBSCRIPTIONS["compliance"]) == set(CONSUMED)


@pytest.mark.parametrize("event_type, index", GOLDEN)
def test_every_golden_example_is_processed_once_and_its_duplicate_is_ignored(env, event_type, index):
    example = golden(event_type, index)
    assert env.deliver(example) == "processed"
    state = (_count(env, Filing), _count(env, CredentialView), _count(env, PolicyTermFact), len(env.outbox()))
    assert env.deliver(example) == "duplicate"
    assert (_count(env, Filing), _count(env, CredentialView), _count(env, PolicyTermFact), len(env.outbox())) == state


def test_golden_bind_opens_the_dmv_65_mcp_filing_for_the_auto_term_and_announces_it(env):
    assert env.deliver(golden("marketing.policy.bound")) == "processed"
    [filing] = _filings(env)
    assert (filing.body, filing.form, filing.rule_id) == ("DMV", "DMV 65 MCP", "dmv-mcp-liability")
    assert (filing.policy_number, filing.line_of_business, filing.due_on) == ("GSC-CA-2027-000119", "AUTO", date(2027, 2, 25))
    assert (filing.credential_number, filing.status, filing.account_manager) == ("CA123456", "draft", "am.garcia")
    [due] = env.outbox("compliance.filing.due")
    contract("compliance.filing.due", 1).load_strict(due["data"])
    assert due["data"]["filing_id"] == filing.id and due["data"]["due_on"] == "2027-02-25"
    assert due["data"]["rule_id"] == "dmv-mcp-liability" and due["data"]["account_manager"] == "am.garcia"
    assert due["subject"] == filing.id and due["source"] == "compliance"
    assert due["correlationid"] == golden("marketing.policy.bound")["correlationid"]


def test_the_same_bind_redelivered_under_a_new_message_id_opens_nothing_new(env):
    first = golden("marketing.policy.bound")
    again = copy.deepcopy(first)
    again["id"] = "another-message-id"
    assert env.deliver(first) == "processed" and env.deliver(again) == "processed"
    assert _count(env, Filing) == 1 and len(env.outbox("compliance.filing.due")) == 1


def test_bind_uses_credentials_from_the_read_model_as_well_as_the_event(env):
    env.deliver(golden("accounts.client.updated"))  # adds MC987654
    env.deliver(golden("marketing.policy.bound"))
    assert [(f.rule_id, f.credential_number) for f in _filings(env)] == [
        ("dmv-mcp-liability", "CA123456"), ("fmcsa-bmc91x-liability", "MC987654")]
    for due in env.outbox("compliance.filing.due"):
        contract("compliance.filing.due", 1).load_strict(due["data"])


def test_bind_for_a_client_without_regulated_credentials_opens_no_filing(env):
    env.deliver(bound_event(client_id="c-plain", credentials=[{"kind": "USDOT", "number": "1"}]))
    assert _count(env, Filing) == 0 and env.outbox() == []
    assert _count(env, PolicyTermFact, PolicyTermFact.client_id == "c-plain") == 2


def test_an_older_client_snapshot_does_not_overwrite_a_newer_one(env):
    updated = golden("accounts.client.updated")
    registered = golden("accounts.client.registered")
    registered["time"] = "2000-01-01T00:00:00+00:00"
    env.deliver(updated)
    env.deliver(registered)
    with env.db.transaction() as session:
        view = session.get(CredentialView, CLIENT_ID)
        assert {c["kind"] for c in view.credentials} == {"DMV_CA", "USDOT", "MC"}
        assert (view.entity_type, view.account_manager) == ("llc", "am.garcia")


def test_recorded_policy_is_kept_without_opening_a_filing(env):
    env.deliver(golden("accounts.policy.recorded", 1))
    assert _count(env, Filing) == 0
    with env.db.transaction() as session:
        fact = session.scalars(select(PolicyTermFact)).one()
        assert (fact.policy_number, fact.line_of_business, fact.status) == ("SMA-2026-004412", "AUTO", "in_force")


def _recorded(policy_number="GSC-CA-2027-000119", status="in_force", replaces=None, bound_quote_id=None,
              time="2027-05-01T09:00:00+00:00"):
    data = golden("accounts.policy.recorded", 1)["data"]
    data["policy"].update(policy_number=policy_number, status=status, replaces_policy_id=replaces,
                          period={"effective_date": "2027-02-25", "expiration_date": "2028-02-25"})
    data["bound_quote_id"] = bound_quote_id
    return envelope("accounts.policy.recorded", data, time=time)


def test_renewal_recorded_in_accounts_opens_the_evidence_filing(env):
    env.deliver(_recorded(policy_number="SMA-2027-1", replaces="old-policy"))
    assert [(f.rule_id, f.trigger) for f in _filings(env)] == [("dmv-mcp-liability", "policy_renewed")]


def test_a_term_recorded_for_a_bind_leaves_filing_to_the_bind_event(env):
    env.deliver(golden("marketing.policy.bound"))
    env.deliver(_recorded(replaces="a1b2", bound_quote_id="9c8b7a6d-aaaa-4bbb-8ccc-dddd00000001"))
    assert _count(env, Filing) == 1


def _activate(env, filing_id):
    from services.compliance.domain.docket import transition

    with env.db.transaction() as session:
        filing = session.get(Filing, filing_id)
        for status in ("requested", "submitted", "pending_review", "accepted", "active"):
            transition(session, filing, status, actor="user:test")


def test_cancellation_puts_active_filings_in_cancel_pending_and_asks_for_mcp_66(env):
    env.deliver(golden("marketing.policy.bound"))
    [filing] = _filings(env)
    _activate(env, filing.id)
    assert env.deliver(_recorded(status="cancelled", time="2027-05-01T09:00:00+00:00")) == "processed"
    evidence = _filings(env, Filing.id == filing.id)[0]
    assert (evidence.status, evidence.cancellation_effective_on) == ("cancel_pending", date(2027, 5, 31))
    [notice] = _filings(env, Filing.trigger == "policy_cancelled")
    assert (notice.form, notice.due_on, notice.cancellation_effective_on) == ("MCP 66", date(2027, 5, 1), date(2027, 5, 31))
    assert [e["data"]["form"] for e in env.outbox("compliance.filing.due")] == ["DMV 65 MCP", "MCP 66"]


def test_every_effect_of_a_message_is_audited_with_the_service_as_actor(env):
    env.deliver(golden("marketing.policy.bound"))
    with env.db.transaction() as session:
        actors = session.scalars(select(AUDIT_LOG.c.actor).where(AUDIT_LOG.c.action == "filing.opened")).all()
    assert actors == ["service:marketing"]
    assert _count(env, FilingEvent) == 1


@pytest.mark.parametrize("mangle, kind", [
    (lambda e: e["data"].pop("policies"), "schema_violation"),
    (lambda e: e.update(dataschema="urn:cmp:schema:marketing.policy.bound:9"), "unknown_version"),
    (lambda e: e["data"]["policies"][0]["premium"].update(amount=1.5), "schema_violation"),
])
def test_a_bad_message_is_rejected_without_effect(env, mangle, kind):
    bad = golden("marketing.policy.bound")
    mangle(bad)
    outcome = env.deliver(bad)
    assert isinstance(outcome, Rejected) and outcome.kind == kind
    assert _count(env, Filing) == 0


def test_an_added_field_in_a_consumed_event_is_tolerated(env):
    example = golden("accounts.client.registered")
    example["data"]["loyalty_tier"] = "gold"
    assert env.deliver(example) == "processed"
