"""The app factory: health without a token, the OpenAPI document of every resource."""
from __future__ import annotations


def test_health_needs_no_token_and_the_api_does(http):
    assert http.get("/healthz").get_json() == {"status": "ok", "service": "marketing"}
    assert http.get("/api/v1/markets").status_code == 401


def test_the_openapi_document_lists_every_resource(http):
    spec = http.get("/openapi.json").get_json()
    paths = set(spec["paths"])
    assert {"/api/v1/markets", "/api/v1/markets/{market_id}", "/api/v1/submissions",
            "/api/v1/submissions/{submission_id}/send", "/api/v1/submissions/{submission_id}/comparison",
            "/api/v1/quotes", "/api/v1/quotes/{quote_id}/bind"} <= paths
    assert {"Comparison", "Market", "Submission", "Quote", "QuoteSubmittedV1", "Bind"} <= set(spec["components"]["schemas"])
