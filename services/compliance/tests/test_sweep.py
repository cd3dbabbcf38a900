"""The hourly deadline sweep: overdue flags and the filings_overdue gauge, cancellations
taking effect, per-term filings expiring."""
from datetime import date

from prometheus_client import REGISTRY
from sqlalchemy import select

from services.compliance.domain.docket import transition
from services.compliance.messaging.tasks import DEADLINE_SWEEP, run_deadline_sweep
from services.compliance.models import Filing
from services.compliance.tests.conftest import bound_event, golden


def _filing(env, rule_id):
    with env.db.transaction() as session:
        return session.scalars(select(Filing).where(Filing.rule_id == rule_id)).one()


def _move(env, filing_id, *statuses, **kwargs):
    with env.db.transaction() as session:
        filing = session.get(Filing, filing_id)
        for status in statuses:
            transition(session, filing, status, actor="user:test", **kwargs)


def _gauge(body):
    return REGISTRY.get_sample_value("filings_overdue", {"body": body})


def test_a_filing_past_due_and_not_submitted_is_flagged_overdue_once_and_counted(env):
    env.deliver(golden("marketing.policy.bound"))  # DMV 65 MCP due 2027-02-25
    assert run_deadline_sweep(env.db, today=date(2027, 2, 25)).newly_overdue == []
    result = run_deadline_sweep(env.db, today=date(2027, 2, 26))
    filing = _filing(env, "dmv-mcp-liability")
    assert result.newly_overdue == [filing.id] and filing.overdue
    assert result.overdue_by_body["DMV"] == 1 and _gauge("DMV") == 1 and _gauge("CPUC") == 0
    assert run_deadline_sweep(env.db, today=date(2027, 2, 27)).newly_overdue == []


def test_submitting_an_overdue_filing_clears_the_flag_and_the_gauge(env):
    env.deliver(golden("marketing.policy.bound"))
    run_deadline_sweep(env.db, today=date(2027, 3, 1))
    filing = _filing(env, "dmv-mcp-liability")
    _move(env, filing.id, "requested")
    assert _filing(env, "dmv-mcp-liability").overdue
    _move(env, filing.id, "submitted")
    assert not _filing(env, "dmv-mcp-liability").overdue
    assert run_deadline_sweep(env.db, today=date(2027, 3, 2)).overdue_by_body["DMV"] == 0 and _gauge("DMV") == 0


def test_a_pending_cancellation_takes_effect_after_its_date(env):
    env.deliver(golden("marketing.policy.bound"))
    filing = _filing(env, "dmv-mcp-liability")
    _move(env, filing.id, "requested", "submitted", "pending_review", "accepted", "active")
    _move(env, filing.id, "cancel_pending", effective_on=date(2027, 6, 30))
    assert run_deadline_sweep(env.db, today=date(2027, 6, 30)).cancelled == []
    assert run_deadline_sweep(env.db, today=date(2027, 7, 1)).cancelled == [filing.id]
    assert _filing(env, "dmv-mcp-liability").status == "cancelled"


def test_per_term_filings_expire_with_their_term_and_good_until_cancelled_ones_stay(env):
    wcirb = [{"kind": "WCIRB_BUREAU", "number": "123-4567"}, {"kind": "DMV_CA", "number": "CA1"}]
    env.deliver(bound_event(client_id="c-wc", credentials=wcirb, lines=("WC", "AUTO")))
    for rule_id in ("wcirb-policy-data-report", "dmv-mcp-liability"):
        _move(env, _filing(env, rule_id).id, "requested", "submitted", "pending_review", "accepted", "active")
    result = run_deadline_sweep(env.db, today=date(2028, 2, 26))
    assert result.expired == [_filing(env, "wcirb-policy-data-report").id]
    assert _filing(env, "dmv-mcp-liability").status == "active"


def test_the_worker_runs_the_sweep_every_hour(env):
    assert DEADLINE_SWEEP.every_seconds == 3600
    DEADLINE_SWEEP.run(env.db, env.settings)
