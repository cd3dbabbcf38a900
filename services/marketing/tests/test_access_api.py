"""Access by program: outside the caller's programs a submission, its quotes and its
comparison do not exist; lists show only the caller's programs."""
from __future__ import annotations

from .helpers import AM, deliver_accounts_examples, quote_ids

OUTSIDER = dict(user="am.pest", roles=("account_manager",), programs=("pest-control",))


def test_lists_show_only_the_callers_programs(http, auth, answered):
    mine = http.get("/api/v1/submissions", headers=auth(**AM)).get_json()["items"]
    theirs = http.get("/api/v1/submissions", headers=auth(**OUTSIDER)).get_json()["items"]
    everyone = http.get("/api/v1/submissions", headers=auth(user="admin", roles=("admin",), programs=())).get_json()
    assert [s["id"] for s in mine] == [answered["id"]]
    assert theirs == []
    assert len(everyone["items"]) == 1


def test_another_programs_submission_quotes_and_comparison_are_404(http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])["golden-state-casualty"]
    sid = answered["id"]
    for method, path in (("get", f"/api/v1/submissions/{sid}"), ("get", f"/api/v1/submissions/{sid}/comparison"),
                         ("get", f"/api/v1/submissions/{sid}/quotes"), ("get", f"/api/v1/quotes/{quote_id}"),
                         ("post", f"/api/v1/quotes/{quote_id}/bind"),
                         ("post", f"/api/v1/submissions/{sid}/comparison/documents")):
        response = getattr(http, method)(path, headers=auth(**OUTSIDER), json={} if method == "post" else None)
        assert response.status_code == 404, (path, response.get_json())
        assert response.mimetype == "application/problem+json"


def test_another_programs_draft_cannot_be_changed(http, auth, draft, markets):
    sid = draft["id"]
    assert http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": markets},
                    headers=auth(**OUTSIDER)).status_code == 404
    assert http.post(f"/api/v1/submissions/{sid}/approve",
                     headers=auth(user="pr.pest", roles=("producer",), programs=("pest-control",))).status_code == 404


def test_the_submission_list_pages_with_a_cursor(db, http, auth, markets):
    deliver_accounts_examples(db)
    for policy_id in ("a1b2c3d4-0001-4000-8000-000000000001", "a1b2c3d4-0002-4000-8000-000000000002"):
        assert http.post("/api/v1/submissions", json={"kind": "renewal", "expiring_policy_ids": [policy_id]},
                         headers=auth(**AM)).status_code == 201
    first = http.get("/api/v1/submissions?limit=2", headers=auth(**AM)).get_json()
    second = http.get(f"/api/v1/submissions?limit=2&after={first['next_cursor']}", headers=auth(**AM)).get_json()
    ids = [s["id"] for s in first["items"] + second["items"]]
    assert len(ids) == 3 == len(set(ids)) and second["next_cursor"] is None
