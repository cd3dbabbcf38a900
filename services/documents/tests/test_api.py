"""The documents API: metadata, download, synchronous render, and who may see what."""
import hashlib

import pytest

from services.documents.tests.helpers import outbox_events
from services.documents.tests.payloads import render_body, submission_document
from shared import testing
from shared.kit.auth import mint_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rendered(client, auth, **overrides):
    response = client.post("/api/v1/documents/render", json=render_body(**overrides), headers=auth())
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def delivered(db, handlers):
    """The golden requests, handled by the worker: their documents."""
    for envelope in testing.examples("documents.document.requested"):
        assert testing.deliver(db, handlers, envelope) == "processed"
    return [e["data"] for e in outbox_events(db, "documents.document.generated")]


def test_render_stores_the_document_and_answers_its_metadata(client, auth, db):
    document = rendered(client, auth)
    assert document["status"] == "generated" and document["kind"] == "comparison_xlsx"
    assert document["filename"] == "renewal-premium-comparison-2027.xlsx" and document["media_type"] == XLSX
    assert document["download_path"] == f"/api/v1/documents/{document['id']}/content"
    [event] = outbox_events(db, "documents.document.generated")
    assert event["data"]["document_id"] == document["id"]


def test_download_returns_the_bytes_whose_sha256_the_metadata_states(client, auth):
    document = rendered(client, auth, kind="proposal_docx", title="Renewal proposal 2027")
    response = client.get(document["download_path"], headers=auth())
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == document["sha256"]
    assert len(response.data) == document["size_bytes"]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response.headers["Content-Disposition"] == "attachment; filename=renewal-proposal-2027.docx"
    assert response.headers["ETag"] == f'"{document["sha256"]}"'


def test_download_answers_not_modified_to_a_matching_etag(client, auth):
    document = rendered(client, auth)
    response = client.get(document["download_path"],
                          headers={**auth(), "If-None-Match": f'"{document["sha256"]}"'})
    assert response.status_code == 304 and response.data == b""


def test_documents_rendered_by_the_worker_are_downloadable(client, auth, delivered):
    for event in delivered:
        response = client.get(event["download_path"], headers=auth())
        assert response.status_code == 200
        assert hashlib.sha256(response.data).hexdigest() == event["sha256"]


def test_list_filters_by_subject_client_and_kind(client, auth, delivered):
    rendered(client, auth, subject_id="sub-other")
    subject = delivered[0]["subject_id"]
    listed = client.get(f"/api/v1/documents?subject_id={subject}", headers=auth()).json
    assert {d["kind"] for d in listed["items"]} == {"comparison_xlsx", "proposal_docx", "submission_letter",
                                                    "specifications", "specifications_xlsx", "application"}
    by_kind = client.get(f"/api/v1/documents?subject_id={subject}&kind=proposal_docx", headers=auth()).json
    assert [d["kind"] for d in by_kind["items"]] == ["proposal_docx"]
    by_client = client.get("/api/v1/documents?client_id=client-1", headers=auth()).json
    assert [d["subject_id"] for d in by_client["items"]] == ["sub-other"]


def test_list_pages_with_a_cursor_newest_first(client, auth):
    made = [rendered(client, auth, subject_id=f"sub-{i}")["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&after={cursor}" if cursor else "")
        page = client.get(f"/api/v1/documents{query}", headers=auth()).json
        seen += [d["id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(made))


def test_documents_of_another_program_do_not_exist_for_the_caller(client, auth, delivered):
    outsider = auth(programs=("pest_control",))
    document_id = delivered[0]["document_id"]
    assert client.get("/api/v1/documents", headers=outsider).json["items"] == []
    for path in (f"/api/v1/documents/{document_id}", f"/api/v1/documents/{document_id}/content"):
        response = client.get(path, headers=outsider)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert client.get(f"/api/v1/documents/{document_id}", headers=auth(programs=("*",))).status_code == 200


def test_rendering_for_a_program_the_caller_cannot_see_is_refused(client, auth, db):
    response = client.post("/api/v1/documents/render", json=render_body(), headers=auth(programs=("pest_control",)))
    assert response.status_code == 404
    assert outbox_events(db) == []


def test_a_payload_that_cannot_be_rendered_is_a_422_problem_and_stores_nothing(client, auth, db):
    body = render_body()
    del body["payload"]["comparison"]["insured_name"]
    response = client.post("/api/v1/documents/render", json=body, headers=auth())
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.json["errors"] == {"payload": ["payload.comparison.insured_name: missing"]}
    assert client.get("/api/v1/documents", headers=auth()).json["items"] == []
    assert outbox_events(db) == []


@pytest.mark.parametrize("body, field", [
    ({**render_body(), "colour": "blue"}, "colour"),
    ({**render_body(), "kind": "binder_pdf"}, "kind"),
    ({**render_body(), "title": 12}, "title"),
    ({k: v for k, v in render_body().items() if k != "program"}, "program"),
])
def test_bad_render_requests_are_422_problems(client, auth, body, field):
    response = client.post("/api/v1/documents/render", json=body, headers=auth())
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert field in str(response.json["errors"])


def test_malformed_json_is_a_400_problem(client, auth):
    response = client.post("/api/v1/documents/render", data="{nope", headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("query", ["?colour=blue", "?after=not-a-cursor", "?after=WyJ4Il0", "?limit=0", "?kind=tarot"])
def test_bad_list_queries_are_422_problems(client, auth, query):
    response = client.get(f"/api/v1/documents{query}", headers=auth())
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_a_retried_render_with_its_request_id_returns_the_first_document(client, auth, db):
    first = rendered(client, auth, request_id="portal-42")
    again = client.post("/api/v1/documents/render", json=render_body(request_id="portal-42"), headers=auth())
    assert again.status_code == 200 and again.json["id"] == first["id"]
    other = client.post("/api/v1/documents/render", json=render_body(request_id="portal-42", subject_id="x"),
                        headers=auth())
    assert other.status_code == 409
    assert len(outbox_events(db, "documents.document.generated")) == 1


def test_a_failed_document_has_metadata_but_no_content(client, auth, db, handlers):
    envelope = testing.examples("documents.document.requested")[0]
    envelope["data"]["payload"]["comparison"].pop("insured_name")
    assert testing.deliver(db, handlers, envelope) == "processed"
    [item] = client.get("/api/v1/documents?status=failed", headers=auth()).json["items"]
    assert item["failure_reason"] == "payload.comparison.insured_name: missing" and item["download_path"] is None
    response = client.get(f"/api/v1/documents/{item['id']}/content", headers=auth())
    assert response.status_code == 409


def test_a_stored_file_that_no_longer_matches_its_checksum_is_not_served(client, auth, store):
    document = rendered(client, auth)
    store.put(document["id"], b"tampered")
    assert client.get(document["download_path"], headers=auth()).status_code == 500


def test_requests_without_a_valid_token_are_401_problems(client, settings):
    assert client.get("/api/v1/documents").status_code == 401
    forged = mint_token(settings.__class__(**{**settings.__dict__, "jwt_secret": "x" * 40}), "mallory")
    response = client.get("/api/v1/documents", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_the_openapi_document_describes_the_documents_api(client):
    paths = client.get("/openapi.json").json["paths"]
    assert {"/api/v1/documents", "/api/v1/documents/render", "/api/v1/documents/{document_id}",
            "/api/v1/documents/{document_id}/content"} <= set(paths)


@pytest.mark.parametrize("kind, media_type, extension", [
    ("submission_letter", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("specifications", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("specifications_xlsx", XLSX, "xlsx"),
    ("application", "application/pdf", "pdf"),
])
def test_submission_documents_render_and_download(client, auth, kind, media_type, extension):
    body = render_body(kind=kind, title=f"Submission {kind} 2027", payload=submission_document(kind),
                       client_id="3f9a2c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c")
    response = client.post("/api/v1/documents/render", json=body, headers=auth())
    assert response.status_code == 201, response.json
    document = response.json
    assert document["kind"] == kind and document["media_type"] == media_type
    download = client.get(document["download_path"], headers=auth())
    assert download.status_code == 200 and download.mimetype == media_type
    assert hashlib.sha256(download.data).hexdigest() == document["sha256"]
    slug = kind.replace("_", "-")
    assert download.headers["Content-Disposition"] == f"attachment; filename=submission-{slug}-2027.{extension}"
    assert download.data.startswith(b"%PDF-" if extension == "pdf" else b"PK")


def test_a_submission_letter_without_market_is_a_422_problem(client, auth, db):
    payload = submission_document("submission_letter")
    payload["market"] = None
    body = render_body(kind="submission_letter", payload=payload, client_id="3f9a2c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c")
    response = client.post("/api/v1/documents/render", json=body, headers=auth())
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.json["errors"] == {"payload": ["payload.market: Field may not be null."]}
    assert outbox_events(db) == []
