"""The HTTP API: filings within the caller's programs, the lifecycle through transitions,
rules with citations, a client's obligations, and problem details for bad input."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.compliance.tests.conftest import bound_event, golden

TRANSPORT = "transportation"


@pytest.fixture
def bound(env):
    env.deliver(golden("accounts.client.updated"))
    env.deliver(golden("marketing.policy.bound"))
    return env


def _filing_id(client, env, rule_id="dmv-mcp-liability"):
    items = client.get("/api/v1/filings/", headers=env.token()).json["items"]
    return next(f["id"] for f in items if f["rule_id"] == rule_id)


def _move(client, env, filing_id, to, roles=("compliance",), **extra):
    return client.post(f"/api/v1/filings/{filing_id}/transition", json={"to": to, **extra}, headers=env.token(roles=roles))


def test_filings_are_listed_by_due_date_within_the_callers_programs(client, bound):
    bound.deliver(bound_event(client_id="pest-1", program="pest-control",
                              credentials=[{"kind": "DMV_CA", "number": "CA999"}]))
    mine = client.get("/api/v1/filings/", headers=bound.token(programs=[TRANSPORT])).json
    assert {f["program"] for f in mine["items"]} == {TRANSPORT} and len(mine["items"]) == 2
    everything = client.get("/api/v1/filings/", headers=bound.token(programs=["*"])).json
    assert len(everything["items"]) == 3
    nothing = client.get("/api/v1/filings/", headers=bound.token(programs=["movers"])).json
    assert nothing == {"items": [], "next_cursor": None}


def test_filings_are_filtered_by_client_status_body_and_due_date(client, bound):
    headers = bound.token()
    assert [f["body"] for f in client.get("/api/v1/filings/?body=FMCSA", headers=headers).json["items"]] == ["FMCSA"]
    assert len(client.get("/api/v1/filings/?status=draft&client_id=3f9a2c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c",
                          headers=headers).json["items"]) == 2
    assert client.get("/api/v1/filings/?status=active", headers=headers).json["items"] == []
    assert client.get("/api/v1/filings/?due_before=2027-02-25", headers=headers).json["items"] == []
    assert len(client.get("/api/v1/filings/?due_before=2027-02-26", headers=headers).json["items"]) == 2


def test_filings_page_with_a_keyset_cursor(client, bound):
    headers = bound.token()
    first = client.get("/api/v1/filings/?limit=1", headers=headers).json
    second = client.get(f"/api/v1/filings/?limit=1&after={first['next_cursor']}", headers=headers).json
    assert first["next_cursor"] and second["next_cursor"] is None
    assert first["items"][0]["id"] != second["items"][0]["id"]


def test_one_filing_shows_its_history_and_next_moves(client, bound):
    filing_id = _filing_id(client, bound)
    body = client.get(f"/api/v1/filings/{filing_id}", headers=bound.token()).json
    assert (body["form"], body["due_on"], body["status"]) == ("DMV 65 MCP", "2027-02-25", "draft")
    assert body["credential"] == {"kind": "DMV_CA", "number": "CA123456"}
    assert body["allowed_transitions"] == ["requested", "waived"]
    assert [(h["from_status"], h["to_status"], h["actor"]) for h in body["history"]] == [(None, "draft", "service:marketing")]


def test_a_filing_moves_through_its_lifecycle_and_the_history_records_who_moved_it(client, bound):
    filing_id = _filing_id(client, bound)
    for status in ("requested", "submitted", "pending_review", "rejected", "submitted", "pending_review",
                   "accepted", "active"):
        response = _move(client, bound, filing_id, status, note=f"now {status}")
        assert response.status_code == 200, response.json
    body = client.get(f"/api/v1/filings/{filing_id}", headers=bound.token()).json
    assert body["status"] == "active" and len(body["history"]) == 9
    assert body["history"][-1] == {**body["history"][-1], "actor": "user:cm.lee", "note": "now active"}


def test_an_account_manager_may_move_a_filing_but_a_producer_may_not(client, bound):
    filing_id = _filing_id(client, bound)
    assert _move(client, bound, filing_id, "requested", roles=("producer",)).status_code == 403
    assert _move(client, bound, filing_id, "requested", roles=("account_manager",)).status_code == 200


def test_a_move_the_lifecycle_refuses_answers_409_problem(client, bound):
    response = _move(client, bound, _filing_id(client, bound), "active")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "draft cannot become active" in response.json["detail"]


def test_cancel_pending_takes_the_effective_date_given(client, bound):
    filing_id = _filing_id(client, bound)
    for status in ("requested", "submitted", "pending_review", "accepted", "active"):
        _move(client, bound, filing_id, status)
    response = _move(client, bound, filing_id, "cancel_pending", effective_on="2027-06-30")
    assert response.json["cancellation_effective_on"] == "2027-06-30"
    assert _move(client, bound, filing_id, "active").json["status"] == "active"  # reinstated


def test_cancel_pending_without_a_date_runs_the_bodys_notice_period_from_today(client, bound):
    filing_id = _filing_id(client, bound)
    for status in ("requested", "submitted", "pending_review", "accepted", "active"):
        _move(client, bound, filing_id, status)
    response = _move(client, bound, filing_id, "cancel_pending", note="insured asked to cancel")
    expected = datetime.now(timezone.utc).date() + timedelta(days=30)  # DMV: MCP 66, 30 days
    assert response.json["cancellation_effective_on"] == expected.isoformat()


def test_activating_a_replacement_supersedes_the_old_filing(client, env):
    env.deliver(bound_event(lines=("AUTO",), effective="2026-02-25", expiration="2027-02-25"))
    env.deliver(bound_event(lines=("AUTO",), effective="2027-02-25", expiration="2028-02-25"))
    old, new = client.get("/api/v1/filings/", headers=env.token()).json["items"]
    for filing in (old, new):
        for status in ("requested", "submitted", "pending_review", "accepted", "active"):
            assert _move(client, env, filing["id"], status).status_code == 200
    replaced = client.get(f"/api/v1/filings/{old['id']}", headers=env.token()).json
    assert replaced["status"] == "superseded" and new["policy_number"] in replaced["history"][-1]["note"]


def test_another_programs_filing_is_not_found(client, bound):
    filing_id = _filing_id(client, bound)
    outsider = bound.token(programs=["pest-control"], roles=("compliance",))
    assert client.get(f"/api/v1/filings/{filing_id}", headers=outsider).status_code == 404
    moved = client.post(f"/api/v1/filings/{filing_id}/transition", json={"to": "requested"}, headers=outsider)
    assert moved.status_code == 404
    assert client.get("/api/v1/filings/no-such-id", headers=bound.token()).status_code == 404


@pytest.mark.parametrize("payload, status", [
    ({"to": "teleported"}, 422), ({"to": 7}, 422), ({}, 422), ({"to": "requested", "colour": "red"}, 422),
    ({"to": "requested", "effective_on": "2027-13-45"}, 422), ({"to": "requested", "effective_on": "2027-06-30"}, 422),
])
def test_bad_transition_requests_are_refused_with_problem_details(client, bound, payload, status):
    response = client.post(f"/api/v1/filings/{_filing_id(client, bound)}/transition", json=payload,
                           headers=bound.token())
    assert response.status_code == status and response.mimetype == "application/problem+json"


def test_malformed_json_is_a_400_problem(client, bound):
    response = client.post(f"/api/v1/filings/{_filing_id(client, bound)}/transition", data="{nope",
                           headers={**bound.token(), "Content-Type": "application/json"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("query", ["status=lost", "body=IRS", "due_before=soon", "limit=0", "limit=x",
                                   "colour=red", "after=!!!", "after=WzFd"])
def test_bad_list_queries_are_4xx_problems(client, bound, query):
    response = client.get(f"/api/v1/filings/?{query}", headers=bound.token())
    assert 400 <= response.status_code < 500 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic abc"}])
def test_without_a_valid_token_the_api_answers_401(client, headers):
    response = client.get("/api/v1/filings/", headers=headers)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_an_expired_token_is_refused(client, env):
    from shared.kit.auth import mint_token

    token = mint_token(env.settings, "cm.lee", roles=["compliance"], ttl=timedelta(minutes=-5))
    assert client.get("/api/v1/rules/", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_rules_are_listed_with_citations_and_verified_flags(client, env):
    items = client.get("/api/v1/rules/", headers=env.token()).json["items"]
    assert len(items) == 28 and all(r["citation"] for r in items)
    by_id = {r["id"]: r for r in items}
    assert by_id["dmv-mcp-liability-cancellation"]["verified"] is True
    assert by_id["dmv-mcp-liability"]["verified"] is False
    dmv = client.get("/api/v1/rules/?body=DMV&line_of_business=AUTO&trigger=policy_bound", headers=env.token()).json
    assert [r["id"] for r in dmv["items"]] == ["dmv-mcp-liability"]


def test_one_rule_shows_its_due_rule_and_minimum_limits(client, env):
    rule = client.get("/api/v1/rules/bhgs-mover-liability", headers=env.token()).json
    assert rule["due"] == {"anchor": "effective_date", "offset_days": 0, "offset_months": 0}
    assert {"kind": "combined_single_limit", "amount": {"amount": "600000.00", "currency": "USD"},
            "applies_to": "instead of split limits", "verified": False} in rule["minimum_limits"]
    assert client.get("/api/v1/rules/nope", headers=env.token()).status_code == 404
    assert client.get("/api/v1/rules/?body=NASA", headers=env.token()).status_code == 422


def test_obligations_show_each_credentials_filings_and_standing(client, env):
    future = date.today() + timedelta(days=40)
    env.deliver(golden("accounts.client.updated"))
    env.deliver(bound_event(lines=("AUTO",), effective=future.isoformat(),
                            expiration=(future + timedelta(days=365)).isoformat()))
    body = client.get("/api/v1/clients/3f9a2c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c/obligations", headers=env.token()).json
    by_kind = {c["credential"]["kind"]: c for c in body["credentials"]}
    dmv = by_kind["DMV_CA"]
    assert dmv["standing"] == "at_risk"
    [requirement] = [r for r in dmv["requirements"] if r["rule_id"] == "dmv-mcp-liability"]
    assert (requirement["state"], requirement["due_on"], requirement["filing_status"]) == ("not_filed", future.isoformat(), "draft")
    assert {u["rule_id"] for u in dmv["uncovered"]} == {"dmv-mcp-workers-comp"}
    assert by_kind["USDOT"]["standing"] == "no_requirements"
    assert by_kind["MC"]["standing"] == "at_risk"


def test_obligations_of_an_expired_requirement_show_the_credential_suspended(client, env):
    past = date.today() - timedelta(days=10)
    env.deliver(golden("accounts.client.registered"))
    env.deliver(bound_event(lines=("AUTO",), effective=past.isoformat(),
                            expiration=(past + timedelta(days=365)).isoformat()))
    body = client.get("/api/v1/clients/3f9a2c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c/obligations", headers=env.token()).json
    assert {c["credential"]["kind"]: c["standing"] for c in body["credentials"]}["DMV_CA"] == "suspended"


def test_obligations_of_an_unknown_or_foreign_client_are_not_found(client, env):
    env.deliver(golden("accounts.client.registered"))
    assert client.get("/api/v1/clients/nobody/obligations", headers=env.token()).status_code == 404
    foreign = env.token(programs=["pest-control"])
    assert client.get("/api/v1/clients/3f9a2c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c/obligations", headers=foreign).status_code == 404


def test_health_and_api_docs_need_no_token(client):
    assert client.get("/healthz").status_code == 200
    paths = client.get("/openapi.json").json["paths"]
    assert {"/api/v1/filings/", "/api/v1/filings/{filing_id}/transition", "/api/v1/rules/{rule_id}",
            "/api/v1/clients/{client_id}/obligations"} <= set(paths)
