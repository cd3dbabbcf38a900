"""Accounts' events as marketing keeps them: client and policy read models (latest wins),
renewal submissions opened and extended by renewal notices, documents remembered."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

from sqlalchemy import select

from services.marketing.models import ClientView, PolicyView, Submission, SubmissionDocument
from shared import testing

from .helpers import CLIENT_ID, GOLDEN_SUBMISSION, deliver, deliver_accounts_examples, golden_submission_sent


def _submissions(db):
    with db.transaction() as session:
        return list(session.scalars(select(Submission).order_by(Submission.created_at)))


def test_every_golden_client_and_policy_example_lands_in_the_read_models(db):
    for event_type in ("accounts.client.registered", "accounts.client.updated", "accounts.policy.recorded"):
        for envelope in testing.examples(event_type):
            assert deliver(db, envelope) == "processed"
    with db.transaction() as session:
        clients = {c.client_id: c for c in session.scalars(select(ClientView))}
        policies = {p.policy_id: p for p in session.scalars(select(PolicyView))}
    assert clients[CLIENT_ID].name == "Delta Valley Freight LLC"
    assert {p.line_of_business for p in policies.values()} == {"GL", "AUTO"}
    assert all(p.coverages for p in policies.values())


def test_an_older_client_snapshot_does_not_overwrite_a_newer_one(db):
    newer = copy.deepcopy(testing.examples("accounts.client.registered")[0])
    older = copy.deepcopy(newer)
    older["id"], older["data"]["name"] = "older-message", "Old Name LLC"
    older["time"] = (datetime.fromisoformat(newer["time"]) - timedelta(days=1)).isoformat()
    deliver(db, newer)
    deliver(db, older)
    with db.transaction() as session:
        assert session.get(ClientView, CLIENT_ID).name == "Delta Valley Freight LLC"


def test_renewal_notices_open_one_draft_with_both_lines_from_the_expiring_coverages(db):
    deliver_accounts_examples(db)
    (submission,) = _submissions(db)
    assert (submission.kind, submission.status) == ("renewal", "draft")
    assert sorted(submission.lines) == ["AUTO", "GL"]
    assert len(submission.expiring_policy_ids) == 2
    gl_expiring = next(e for e in submission.expiring if e["line_of_business"] == "GL")
    assert submission.specifications["GL"]["coverages"] == gl_expiring["coverages"]
    assert submission.effective_date.isoformat() == "2027-02-25"
    assert submission.expiration_date.isoformat() == "2028-02-25"
    assert submission.account_manager == "am.garcia"


def test_a_later_renewal_notice_for_the_same_policy_adds_nothing(db):
    deliver_accounts_examples(db)
    for envelope in testing.examples("accounts.renewal.due"):
        again = copy.deepcopy(envelope)
        again["id"] += "-60"
        again["data"]["lead_days"] = 60
        assert deliver(db, again) == "processed"
    (submission,) = _submissions(db)
    assert len(submission.expiring_policy_ids) == 2 and len(submission.lines) == 2


def test_a_renewal_notice_after_the_submission_was_sent_opens_a_new_draft(db):
    golden_submission_sent(db)
    late = copy.deepcopy(testing.examples("accounts.renewal.due")[0])
    late["id"] = "late-notice"
    late["data"]["policy"]["policy_id"] = "a1b2c3d4-0003-4000-8000-000000000003"
    late["data"]["policy"]["line_of_business"] = "UMB"
    deliver(db, late)
    drafts = [s for s in _submissions(db) if s.status == "draft"]
    assert len(drafts) == 1 and drafts[0].lines == ["UMB"]


def test_generated_documents_are_remembered_on_their_submission(db):
    golden_submission_sent(db)
    (envelope,) = testing.examples("documents.document.generated")
    assert deliver(db, envelope) == "processed"
    with db.transaction() as session:
        (document,) = session.scalars(select(SubmissionDocument)).all()
    assert (document.submission_id, document.kind) == (GOLDEN_SUBMISSION, "comparison_xlsx")


def test_documents_for_other_subjects_are_ignored(db):
    (envelope,) = copy.deepcopy(testing.examples("documents.document.generated"))
    envelope["data"]["subject_type"] = "client"
    assert deliver(db, envelope) == "processed"
    with db.transaction() as session:
        assert session.scalars(select(SubmissionDocument)).all() == []
