"""Cancellations: accounts.policy.cancelled gives the regulators' notices their real notice
and effective dates; accounts.policy.recorded with status cancelled, which accompanies it,
opens nothing twice whichever arrives first, however often either is delivered."""
import copy
from datetime import date

import pytest
from sqlalchemy import func, select

from services.compliance.domain.docket import transition
from services.compliance.models import Filing, FilingEvent, PolicyTermFact
from services.compliance.tests.conftest import envelope, golden
from shared.contracts.registry import contract

def event(event_type: str, data: dict, *, time: str = "2027-01-10T12:00:00+00:00") -> dict:
    """A fresh accounts envelope (new message id) for JSON ``data``, validated strictly."""
    return envelope(event_type, contract(event_type, 1).load_strict(copy.deepcopy(data)), time=time, source="accounts")


def recorded_as_cancelled(of: dict, time: str) -> dict:
    """The accounts.policy.recorded (status cancelled) that accompanies a cancellation event."""
    data = {"policy": copy.deepcopy(of["data"]["policy"]), "insured": copy.deepcopy(of["data"]["insured"]),
            "bound_quote_id": None}
    data["policy"]["status"] = "cancelled"
    return event("accounts.policy.recorded", data, time=time)


def _filings(env, *where):
    with env.db.transaction() as session:
        return session.scalars(select(Filing).where(*where).order_by(Filing.rule_id)).all()


def _notices(env):
    return [(f.rule_id, f.form, f.notice_date, f.due_on, f.cancellation_effective_on)
            for f in _filings(env, Filing.trigger == "policy_cancelled")]


def _dues(env):
    return [(e["data"]["form"], e["data"]["due_on"]) for e in env.outbox("compliance.filing.due")]


@pytest.fixture
def with_mc(env):
    """The client's read model also knows its interstate MC docket (FMCSA BMC-35 on cancellation)."""
    assert env.deliver(golden("accounts.client.updated")) == "processed"
    return env


# Notice 2027-01-15 + 30 days = 2027-02-14, later than coverage ending 2027-01-31: the bodies
# keep the filings until 2027-02-14 and the replacement must be on file by then.
EXPECTED = [
    ("dmv-mcp-liability-cancellation", "MCP 66", date(2027, 1, 15), date(2027, 1, 15), date(2027, 2, 14)),
    ("fmcsa-bmc91x-cancellation", "BMC-35", date(2027, 1, 15), date(2027, 1, 15), date(2027, 2, 14)),
]


def test_the_golden_cancellation_opens_each_bodys_notice_from_the_real_dates(with_mc):
    example = golden("accounts.policy.cancelled", 1)
    assert with_mc.deliver(example) == "processed"
    assert _notices(with_mc) == EXPECTED
    dmv = _filings(with_mc, Filing.rule_id == "dmv-mcp-liability-cancellation")[0]
    assert "insured request, requested by insured; notice 2027-01-15, coverage ends 2027-01-31" in dmv.reason
    assert "effective with DMV on 2027-02-14" in dmv.reason and dmv.account_manager == "am.garcia"
    for due in with_mc.outbox("compliance.filing.due"):
        contract("compliance.filing.due", 1).load_strict(due["data"])
        assert due["correlationid"] == example["correlationid"]
    assert sorted(_dues(with_mc)) == [("BMC-35", "2027-01-15"), ("MCP 66", "2027-01-15")]
    with with_mc.db.transaction() as session:
        fact = session.scalars(select(PolicyTermFact).where(PolicyTermFact.policy_number == "SMA-2026-004412")).one()
        assert (fact.status, fact.cancellation_source, fact.cancellation_notice_date,
                fact.cancellation_effective_date, fact.cancellation_reason, fact.cancellation_requested_by) == (
            "cancelled", "accounts.policy.cancelled", date(2027, 1, 15), date(2027, 1, 31), "insured_request",
            "insured")


def test_cancellation_then_the_recorded_status_opens_each_filing_once(with_mc):
    cancellation = golden("accounts.policy.cancelled", 1)
    assert with_mc.deliver(cancellation) == "processed"
    outbox = len(with_mc.outbox())
    assert with_mc.deliver(recorded_as_cancelled(cancellation, "2027-01-15T10:20:00+00:00")) == "processed"
    assert with_mc.deliver(recorded_as_cancelled(cancellation, "2027-01-22T08:00:00+00:00")) == "processed"
    assert _notices(with_mc) == EXPECTED
    assert len(with_mc.outbox()) == outbox  # nothing announced again


def test_the_recorded_status_then_the_cancellation_opens_each_filing_once_with_the_real_dates(with_mc):
    cancellation = golden("accounts.policy.cancelled", 1)
    # the recorded status travels with the cancellation: same day, so the estimate is right already
    assert with_mc.deliver(recorded_as_cancelled(cancellation, cancellation["time"])) == "processed"
    assert with_mc.deliver(cancellation) == "processed"
    assert _notices(with_mc) == EXPECTED
    assert sorted(_dues(with_mc)) == [("BMC-35", "2027-01-15"), ("MCP 66", "2027-01-15")]


def test_a_late_recorded_status_first_is_corrected_by_the_cancellation(with_mc):
    cancellation = golden("accounts.policy.cancelled", 1)
    late = recorded_as_cancelled(cancellation, "2027-01-20T09:00:00+00:00")  # redelivered days later
    assert with_mc.deliver(late) == "processed"
    assert [n[2:] for n in _notices(with_mc)] == [(date(2027, 1, 20), date(2027, 1, 20), date(2027, 2, 19))] * 2
    assert with_mc.deliver(cancellation) == "processed"
    assert _notices(with_mc) == EXPECTED
    # the corrected due date is announced again; the estimate's announcement came first
    assert _dues(with_mc) == [("MCP 66", "2027-01-20"), ("BMC-35", "2027-01-20"),
                              ("MCP 66", "2027-01-15"), ("BMC-35", "2027-01-15")]
    dmv = _filings(with_mc, Filing.rule_id == "dmv-mcp-liability-cancellation")[0]
    with with_mc.db.transaction() as session:
        notes = session.scalars(select(FilingEvent.note).where(FilingEvent.filing_id == dmv.id)
                                .order_by(FilingEvent.id)).all()
    assert len(notes) == 2 and "dates corrected: notice 2027-01-20 -> 2027-01-15" in notes[1]
    assert "coverage ends 2027-01-31" in dmv.reason
    # and neither the same cancellation nor the recorded status again changes anything more
    outbox = len(with_mc.outbox())
    assert with_mc.deliver(event("accounts.policy.cancelled", cancellation["data"])) == "processed"
    assert with_mc.deliver(late) == "duplicate"
    assert with_mc.deliver(recorded_as_cancelled(cancellation, "2027-01-25T09:00:00+00:00")) == "processed"
    assert _notices(with_mc) == EXPECTED and len(with_mc.outbox()) == outbox


def test_a_redelivered_cancellation_is_a_duplicate_and_a_republished_one_adds_nothing(with_mc):
    cancellation = golden("accounts.policy.cancelled", 1)
    assert with_mc.deliver(cancellation) == "processed"
    outbox = len(with_mc.outbox())
    assert with_mc.deliver(cancellation) == "duplicate"
    assert with_mc.deliver({**copy.deepcopy(cancellation), "id": "republished-1"}) == "processed"
    assert _notices(with_mc) == EXPECTED and len(with_mc.outbox()) == outbox


def test_a_notice_already_with_the_body_keeps_its_dates(with_mc):
    cancellation = golden("accounts.policy.cancelled", 1)
    with_mc.deliver(recorded_as_cancelled(cancellation, "2027-01-20T09:00:00+00:00"))
    dmv = _filings(with_mc, Filing.rule_id == "dmv-mcp-liability-cancellation")[0]
    with with_mc.db.transaction() as session:
        filing = session.get(Filing, dmv.id)
        for status in ("requested", "submitted"):
            transition(session, filing, status, actor="user:test")
    with_mc.deliver(cancellation)
    by_rule = {n[0]: n for n in _notices(with_mc)}
    assert by_rule["dmv-mcp-liability-cancellation"][2:] == (date(2027, 1, 20), date(2027, 1, 20), date(2027, 2, 19))
    assert by_rule["fmcsa-bmc91x-cancellation"] == EXPECTED[1]


def _bound_and_active(env):
    env.deliver(golden("marketing.policy.bound"))  # DMV 65 MCP for GSC-CA-2027-000119 (2027-02-25 .. 2028-02-25)
    [evidence] = _filings(env, Filing.rule_id == "dmv-mcp-liability")
    with env.db.transaction() as session:
        filing = session.get(Filing, evidence.id)
        for status in ("requested", "submitted", "pending_review", "accepted", "active"):
            transition(session, filing, status, actor="user:test")
    return evidence.id


def _cancel_bound_auto(notice: str, ends: str, reason="non_payment", requested_by="carrier"):
    data = golden("accounts.policy.cancelled", 1)["data"]
    data["policy"].update(policy_number="GSC-CA-2027-000119",
                          period={"effective_date": "2027-02-25", "expiration_date": "2028-02-25"})
    data.update(notice_date=notice, effective_date=ends, reason=reason, requested_by=requested_by)
    return event("accounts.policy.cancelled", data, time=f"{notice}T12:00:00+00:00")


def test_the_active_evidence_goes_cancel_pending_until_the_body_lets_it_end(env):
    evidence_id = _bound_and_active(env)
    assert env.deliver(_cancel_bound_auto("2027-05-01", "2027-05-11")) == "processed"
    [evidence] = _filings(env, Filing.id == evidence_id)
    assert (evidence.status, evidence.cancellation_effective_on) == ("cancel_pending", date(2027, 5, 31))
    [moved] = [e for e in env.outbox("compliance.filing.status_changed") if e["data"]["to_status"] == "cancel_pending"]
    assert moved["data"]["changed_by"] == "service:accounts"
    assert moved["data"]["cancellation_effective_on"] == "2027-05-31"
    assert "non payment, requested by carrier" in moved["data"]["note"]


def test_coverage_ending_after_the_notice_period_holds_the_filing_until_then(env):
    evidence_id = _bound_and_active(env)
    env.deliver(_cancel_bound_auto("2027-05-01", "2027-07-01", reason="insured_request", requested_by="insured"))
    [evidence] = _filings(env, Filing.id == evidence_id)
    assert evidence.cancellation_effective_on == date(2027, 7, 1)
    [notice] = _filings(env, Filing.rule_id == "dmv-mcp-liability-cancellation")
    assert (notice.due_on, notice.cancellation_effective_on) == (date(2027, 5, 1), date(2027, 7, 1))


def test_an_estimated_cancel_pending_date_is_corrected_but_one_set_by_hand_stays(env):
    evidence_id = _bound_and_active(env)
    real = _cancel_bound_auto("2027-04-28", "2027-05-08")
    env.deliver(recorded_as_cancelled(real, "2027-05-03T09:00:00+00:00"))
    assert _filings(env, Filing.id == evidence_id)[0].cancellation_effective_on == date(2027, 6, 2)
    env.deliver(real)
    assert _filings(env, Filing.id == evidence_id)[0].cancellation_effective_on == date(2027, 5, 28)

    other = _bound_and_active_again(env)
    hand = _cancel_bound_auto("2028-03-10", "2028-03-20")
    hand["data"]["policy"]["policy_number"] = "GSC-CA-2028-1"
    hand["data"]["policy"]["period"] = {"effective_date": "2028-02-25", "expiration_date": "2029-02-25"}
    env.deliver(recorded_as_cancelled(hand, "2028-03-12T09:00:00+00:00"))
    with env.db.transaction() as session:  # someone set the body's date by hand meanwhile
        filing = session.get(Filing, other)
        filing.cancellation_effective_on = date(2028, 4, 30)
    env.deliver(event("accounts.policy.cancelled", hand["data"]))
    assert _filings(env, Filing.id == other)[0].cancellation_effective_on == date(2028, 4, 30)


def _bound_and_active_again(env):
    bound = golden("marketing.policy.bound")
    data = bound["data"]
    data["policies"] = [p for p in data["policies"] if p["line_of_business"] == "AUTO"]
    data["policies"][0].update(policy_number="GSC-CA-2028-1",
                               period={"effective_date": "2028-02-25", "expiration_date": "2029-02-25"})
    env.deliver(envelope("marketing.policy.bound", contract("marketing.policy.bound", 1).load_strict(data)))
    [evidence] = _filings(env, Filing.policy_number == "GSC-CA-2028-1", Filing.rule_id == "dmv-mcp-liability")
    with env.db.transaction() as session:
        filing = session.get(Filing, evidence.id)
        for status in ("requested", "submitted", "pending_review", "accepted", "active"):
            transition(session, filing, status, actor="user:test")
    return evidence.id


@pytest.mark.parametrize("credential, line, reason, expected", [
    # WCIRB: 10 days for non-payment (Ins. Code §676.8), 30 otherwise; reported within 30 days
    ({"kind": "WCIRB_BUREAU", "number": "123-4567"}, "WC", "non_payment",
     {"wcirb-cancellation-report": (date(2027, 1, 15), date(2027, 2, 14), date(2027, 1, 31))}),
    ({"kind": "WCIRB_BUREAU", "number": "123-4567"}, "WC", "underwriting",
     {"wcirb-cancellation-report": (date(2027, 1, 15), date(2027, 2, 14), date(2027, 2, 14))}),
    # CSLB: the bond's cancellation is effective 30 days after the Board receives the notice
    ({"kind": "CSLB_LICENSE", "number": "1012345"}, "BOND", "non_payment",
     {"cslb-contractor-bond-cancellation": (date(2027, 1, 15), date(2027, 1, 15), date(2027, 2, 14))}),
    # CPUC: 30 days from the Commission's receipt
    ({"kind": "CPUC_TCP", "number": "TCP-1234"}, "AUTO", "carrier_withdrawal",
     {"cpuc-tcp-liability-cancellation": (date(2027, 1, 15), date(2027, 1, 15), date(2027, 2, 14))}),
    # SPCB: 10 days' notice to the Board
    ({"kind": "SPCB_REGISTRATION", "number": "PR-5511"}, "GL", "non_payment",
     {"spcb-liability-cancellation": (date(2027, 1, 15), date(2027, 1, 15), date(2027, 1, 31))}),
])
def test_each_bodys_notice_period_from_the_rules_data(env, credential, line, reason, expected):
    example = _cancel_line(credential, line, reason)
    assert env.deliver(example) == "processed"
    assert {f.rule_id: (f.notice_date, f.due_on, f.cancellation_effective_on)
            for f in _filings(env, Filing.trigger == "policy_cancelled")} == expected


def _cancel_line(credential, line, reason):
    data = golden("accounts.policy.cancelled", 1)["data"]
    data["insured"]["credentials"] = [{**credential, "expires_on": None}]
    data["policy"]["line_of_business"] = line
    data["policy"]["policy_number"] = f"{line}-CANCELLED"
    data.update(reason=reason, requested_by="carrier")  # notice 2027-01-15, coverage ends 2027-01-31
    return event("accounts.policy.cancelled", data)


def test_a_cancellation_needing_no_notice_only_keeps_the_term(env):
    assert env.deliver(golden("accounts.policy.cancelled", 0)) == "processed"  # GL with a DMV CA number
    with env.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Filing)) == 0
        fact = session.scalars(select(PolicyTermFact)).one()
    assert (fact.policy_number, fact.status, fact.cancellation_reason) == (
        "SMG-2026-004411", "cancelled", "non_payment")
