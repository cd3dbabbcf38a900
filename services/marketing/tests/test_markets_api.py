"""Markets: created and changed by program managers and admins, read by everyone,
imported in bulk from a JSON file."""
from __future__ import annotations

import json

from services.marketing.cli import import_markets, import_markets_command
from services.marketing.models import Market

from .helpers import AM, PM, market_body


def test_a_program_manager_adds_a_market_everyone_reads_it(http, auth):
    created = http.post("/api/v1/markets", json=market_body("sierra-mutual"), headers=auth(**PM))
    assert created.status_code == 201
    body = http.get("/api/v1/markets/sierra-mutual", headers=auth(**AM)).get_json()
    assert (body["channel"], body["broker_user"], body["commission_percent"]) == ("queue", "carrier-sierra-mutual", "12.50")
    assert body["appetite"]["min_premium"] == {"amount": "5000.00", "currency": "USD"}


def test_a_non_us_insurer_is_added_with_its_naic_alien_insurer_code(http, auth):
    body = market_body("beazley-2623", broker_user="carrier-beazley-2623", naic_code="AA-1128623", admitted=False)
    created = http.post("/api/v1/markets", json=body, headers=auth(**PM))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["naic_code"] == "AA-1128623"
    wrong = market_body("bad-code", broker_user="carrier-bad-code", naic_code="AA-12")
    response = http.post("/api/v1/markets", json=wrong, headers=auth(**PM))
    assert response.status_code == 422 and "alien insurer code" in str(response.get_json()["errors"])


def test_account_managers_cannot_add_or_change_markets(http, auth):
    assert http.post("/api/v1/markets", json=market_body(), headers=auth(**AM)).status_code == 403
    http.post("/api/v1/markets", json=market_body(), headers=auth(**PM))
    assert http.patch("/api/v1/markets/golden-state-casualty", json={"active": False}, headers=auth(**AM)).status_code == 403


def test_a_market_is_changed_in_part(http, auth):
    http.post("/api/v1/markets", json=market_body(), headers=auth(**PM))
    response = http.patch("/api/v1/markets/golden-state-casualty", json={"am_best_rating": "A+", "active": False},
                          headers=auth(**PM))
    assert response.status_code == 200
    assert (response.get_json()["am_best_rating"], response.get_json()["active"]) == ("A+", False)
    assert response.get_json()["name"] == "Golden State Casualty"


def test_market_rules_refuse_duplicates_and_incomplete_channels(http, auth):
    http.post("/api/v1/markets", json=market_body(), headers=auth(**PM))
    assert http.post("/api/v1/markets", json=market_body(), headers=auth(**PM)).status_code == 409
    same_user = market_body("copycat-casualty", broker_user="carrier-golden-state-casualty")
    assert http.post("/api/v1/markets", json=same_user, headers=auth(**PM)).status_code == 409
    no_user = market_body("queue-less", broker_user=None)
    assert http.post("/api/v1/markets", json=no_user, headers=auth(**PM)).status_code == 422
    inverted = market_body("upside-down", appetite={"min_premium": {"amount": "10"}, "max_premium": {"amount": "5"}})
    assert http.post("/api/v1/markets", json=inverted, headers=auth(**PM)).status_code == 422
    assert http.patch("/api/v1/markets/golden-state-casualty", json={"id": "renamed"}, headers=auth(**PM)).status_code == 422


def test_markets_list_filters_by_line_and_activity_and_pages(http, auth):
    http.post("/api/v1/markets", json=market_body("alpha-mutual"), headers=auth(**PM))
    http.post("/api/v1/markets", json=market_body("bravo-comp", appetite={"lines": ["WC"]}), headers=auth(**PM))
    http.post("/api/v1/markets", json=market_body("charlie-re", active=False), headers=auth(**PM))
    ids = lambda q: [m["id"] for m in http.get(f"/api/v1/markets{q}", headers=auth(**AM)).get_json()["items"]]  # noqa: E731
    assert ids("") == ["alpha-mutual", "bravo-comp", "charlie-re"]
    assert ids("?line=WC") == ["bravo-comp"]
    assert ids("?active=true") == ["alpha-mutual", "bravo-comp"]
    first = http.get("/api/v1/markets?limit=2", headers=auth(**AM)).get_json()
    assert ids(f"?limit=2&after={first['next_cursor']}") == ["charlie-re"]


def test_import_upserts_markets_by_id(db, tmp_path, monkeypatch, settings):
    assert import_markets(db, [market_body("alpha-mutual"), market_body("bravo-comp")]) == (2, 0)
    assert import_markets(db, [market_body("alpha-mutual", am_best_rating="A++")]) == (0, 1)
    with db.transaction() as session:
        assert session.get(Market, "alpha-mutual").am_best_rating == "A++"
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps([market_body("charlie-re")]))
    monkeypatch.setenv("MARKETING_DATABASE_URL", settings.database_url)
    assert import_markets_command(type("Args", (), {"file": path})()) == 0
    with db.transaction() as session:
        assert session.get(Market, "charlie-re") is not None


def test_import_refuses_an_invalid_file_without_importing_any_of_it(db, tmp_path, monkeypatch, settings, capsys):
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps([market_body("alpha-mutual"), {**market_body("bad"), "kind": "reinsurer"}]))
    monkeypatch.setenv("MARKETING_DATABASE_URL", settings.database_url)
    assert import_markets_command(type("Args", (), {"file": path})()) == 1
    assert "invalid markets" in capsys.readouterr().out
    with db.transaction() as session:
        assert session.get(Market, "alpha-mutual") is None


def test_import_leaves_a_simulator_fleets_own_settings_aside(db):
    fleet_entry = {**market_body("delta-mutual"), "simulator": {"answer": "quote", "delay_seconds": 2}}
    assert import_markets(db, [fleet_entry]) == (1, 0)
    with db.transaction() as session:
        assert session.get(Market, "delta-mutual").broker_user == "carrier-delta-mutual"
