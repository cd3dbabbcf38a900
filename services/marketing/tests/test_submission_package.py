"""The submission package: the client's loss summary (from accounts.losses.updated) in every
message to a market, the application, specifications and submission letters asked of
documents and tracked to their document ids, and the package emailed through SMTP to the
markets on the email channel (by the worker, retried, recorded, announced for accounts)."""
from __future__ import annotations

import copy
import hashlib
import socket
import uuid
from datetime import timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from services.marketing.domain import email_channel
from services.marketing.domain.email_channel import PackageFile, SendFailure, SmtpConfig, letter_text, send_due
from services.marketing.messaging.email_sender import SUBMISSION_EMAILS, DocumentFetcher
from services.marketing.models import PackageDocument, SubmissionEmail
from shared import testing
from shared.contracts.envelope import build_envelope
from shared.contracts.submission_documents import SUBMISSION_DOCUMENT_PAYLOADS
from shared.kit.audit import history
from shared.kit.auth import decode_token
from shared.kit.db import utcnow

from .helpers import AM, PM, PRODUCER, deliver, emitted, market_body

EMAIL_MARKET = "inbox-underwriters"
QUEUE_MARKET = "golden-state-casualty"
MEDIA = {"application": "application/pdf",
         "specifications": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "submission_letter": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def losses_envelope(**changes) -> dict:
    envelope = copy.deepcopy(testing.examples("accounts.losses.updated")[0])
    envelope["id"] = str(uuid.uuid4())
    envelope.update(changes)
    return envelope


def add_email_market(http, auth):
    body = market_body(EMAIL_MARKET, channel="email", broker_user=None, email="uw@inbox-underwriters.example")
    assert http.post("/api/v1/markets", json=body, headers=auth(**PM)).status_code == 201


def send(http, auth, sid, market_ids, **body):
    assert http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": market_ids},
                    headers=auth(**AM)).status_code == 200
    assert http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PRODUCER)).status_code == 200
    response = http.post(f"/api/v1/submissions/{sid}/send", json=body, headers=auth(**AM))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def package(http, auth, sid) -> dict:
    response = http.get(f"/api/v1/submissions/{sid}/package", headers=auth(**AM))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def content_of(request: dict) -> bytes:
    return f"%{request['kind']} of {request['subject_id']} ({request['request_id']})".encode()


def generated_envelope(request: dict) -> dict:
    """documents' answer to a package request, as the documents service publishes it."""
    document_id = str(uuid.uuid4())
    extension = {"application": "pdf"}.get(request["kind"], "docx")
    content = content_of(request)
    data = {
        "document_id": document_id, "request_id": request["request_id"], "kind": request["kind"],
        "client_id": request["client_id"], "program": request["program"], "subject_type": "submission",
        "subject_id": request["subject_id"], "title": request["title"],
        "filename": f"{request['kind']}-{request['request_id'][:8]}.{extension}",
        "media_type": MEDIA[request["kind"]], "size_bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(), "download_path": f"/api/v1/documents/{document_id}/content",
    }
    return build_envelope(event_type="documents.document.generated", version=1, source="documents", data=data,
                          message_id=str(uuid.uuid4()), subject=request["subject_id"], correlation_id=None,
                          causation_id=None)


def failed_envelope(request: dict, reason="template error: no such field") -> dict:
    data = {"request_id": request["request_id"], "kind": request["kind"], "client_id": request["client_id"],
            "program": request["program"], "reason": reason}
    return build_envelope(event_type="documents.document.failed", version=1, source="documents", data=data,
                          message_id=str(uuid.uuid4()), subject=request["subject_id"], correlation_id=None,
                          causation_id=None)


def package_requests(db) -> list[dict]:
    return [e["data"] for e in emitted(db, "documents.document.requested")
            if e["data"]["kind"] in SUBMISSION_DOCUMENT_PAYLOADS]


def render_all(db) -> dict[str, bytes]:
    """documents renders every package request; returns {download path: content}."""
    files = {}
    for request in package_requests(db):
        envelope = generated_envelope(request)
        assert deliver(db, envelope) == "processed"
        files[envelope["data"]["download_path"]] = content_of(request)
    return files


class FakeDocuments:
    """documents' download API as the fetcher sees it (the real HTTP path is tested below)."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        self.calls = []

    def __call__(self, file: PackageFile) -> bytes:
        self.calls.append(file.download_path)
        return self.files[file.download_path]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self, refuse_with: str | None = None):
        self.messages = []
        self.refuse_with = refuse_with

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    """An SMTP server in this process on a free port; yields (config, inbox)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpConfig(host="127.0.0.1", port=controller.port, sender="submissions@agency.example",
                         timeout=5, max_attempts=3, retry_seconds=60), inbox
    finally:
        controller.stop()


# -- the loss summary -----------------------------------------------------------------------

def test_the_latest_loss_summary_goes_to_every_queue_market_by_policy_year(db, http, auth, draft, markets):
    assert deliver(db, losses_envelope()) == "processed"
    send(http, auth, draft["id"], markets)
    for request in emitted(db, "carrier.submission.requested"):
        data = request["data"]
        assert data["losses_as_of"] == "2026-11-27"
        assert [year["policy_year"] for year in data["loss_history"]] == [2026, 2025, 2024]
        year = data["loss_history"][1]
        assert (year["claim_count"], year["open_claim_count"], year["lines"]) == (2, 1, ["AUTO"])
        assert (year["paid"], year["reserved"], year["incurred"]) == (
            {"amount": "103850.00", "currency": "USD"}, {"amount": "38000.00", "currency": "USD"},
            {"amount": "141850.00", "currency": "USD"})
        assert (year["earned_premium"]["amount"], year["loss_ratio_percent"]) == ("28600.00", "495.98")
    shown = package(http, auth, draft["id"])
    assert shown["losses_as_of"] == "2026-11-27" and len(shown["loss_history"]) == 3


def test_an_older_loss_summary_arriving_late_does_not_replace_the_newer(db, http, auth, draft):
    newer = losses_envelope()
    newer["data"]["policy_years"] = newer["data"]["policy_years"][:1]
    older = losses_envelope(time="2026-11-20T09:00:00+00:00")
    older["data"]["as_of"] = "2026-11-20"
    assert deliver(db, newer) == "processed"
    assert deliver(db, older) == "processed"
    shown = package(http, auth, draft["id"])
    assert shown["losses_as_of"] == "2026-11-27"
    assert [year["policy_year"] for year in shown["loss_history"]] == [2026]


def test_without_a_loss_summary_the_history_is_empty_and_says_so(db, http, auth, draft, markets):
    send(http, auth, draft["id"], markets)
    data = emitted(db, "carrier.submission.requested")[0]["data"]
    assert (data["loss_history"], data["losses_as_of"]) == ([], None)


# -- the package asked of documents -----------------------------------------------------------

def test_sending_asks_documents_for_the_package_with_valid_payloads(db, http, auth, draft, markets):
    deliver(db, losses_envelope())
    send(http, auth, draft["id"], markets, underwriting_notes="22 power units; safety director since 2019.")
    requests = package_requests(db)
    kinds = sorted((r["kind"], (r["payload"].get("market") or {}).get("market_id")) for r in requests)
    assert kinds == [("application", None), ("specifications", None),
                     ("submission_letter", "golden-state-casualty"), ("submission_letter", "pacific-crest-specialty")]
    for request in requests:
        assert (request["subject_type"], request["subject_id"]) == ("submission", draft["id"])
        payload = SUBMISSION_DOCUMENT_PAYLOADS[request["kind"]]().load(request["payload"])  # strict
        assert payload["insured"]["name"] == "Delta Valley Freight LLC"
        assert [y["policy_year"] for y in payload["loss_history"]] == [2026, 2025, 2024]
        assert payload["underwriting_notes"] == "22 power units; safety director since 2019."
        gl = next(line for line in payload["lines"] if line["line_of_business"] == "GL")
        assert gl["expiring_carrier"] and gl["expiring_policy_number"]
    letter = next(r for r in requests if r["kind"] == "submission_letter")
    assert letter["title"].startswith("Submission letter to Golden State Casualty: Delta Valley Freight LLC")
    shown = package(http, auth, draft["id"])
    assert {d["status"] for d in shown["documents"]} == {"requested"} and len(shown["documents"]) == 4


def test_generated_documents_are_tracked_and_listed_on_later_requests(db, http, auth, draft, markets):
    send(http, auth, draft["id"], markets)
    assert all(not r["data"]["documents"] for r in emitted(db, "carrier.submission.requested"))
    answers = [generated_envelope(request) for request in package_requests(db)]
    for envelope in answers + answers:  # a redelivered answer changes nothing
        assert deliver(db, envelope) in ("processed", "duplicate")
    shown = package(http, auth, draft["id"])
    assert {d["status"] for d in shown["documents"]} == {"generated"}
    assert all(d["document_id"] and d["download_path"] for d in shown["documents"])
    submission = http.get(f"/api/v1/submissions/{draft['id']}", headers=auth(**AM)).get_json()
    assert len(submission["documents"]) == 4
    from services.marketing.domain import submission_package, submissions
    from services.marketing.models import Market, Submission

    with db.transaction() as session:
        submission_row = session.get(Submission, draft["id"])
        market = session.get(Market, QUEUE_MARKET)
        submissions.request_quote(session, submission_row, market, {
            "kind": "requote", "insured": submission_row.insured, "lines": submissions.requested_lines(submission_row),
            "respond_by": (utcnow().date() + timedelta(days=5)).isoformat()})
        expected = submission_package.carrier_documents(session, draft["id"], QUEUE_MARKET)
    requote = emitted(db, "carrier.submission.requested")[-1]["data"]
    assert [d["kind"] for d in requote["documents"]] == ["application", "specifications", "submission_letter"]
    assert requote["documents"] == expected
    letter_ids = {d["document_id"] for d in shown["documents"]
                  if d["kind"] == "submission_letter" and d["market_id"] == QUEUE_MARKET}
    assert requote["documents"][2]["document_id"] in letter_ids


# -- the email channel --------------------------------------------------------------------------

@pytest.fixture
def emailed_draft(db, http, auth, draft, markets):
    """The golden draft sent to one queue market and one email market, losses on file."""
    add_email_market(http, auth)
    deliver(db, losses_envelope())
    sent = send(http, auth, draft["id"], [QUEUE_MARKET, EMAIL_MARKET])
    return sent


def test_an_email_market_is_sent_no_queue_message_and_waits_for_its_package(db, http, auth, emailed_draft):
    assert {m["market_id"]: m["status"] for m in emailed_draft["markets"]} == {
        QUEUE_MARKET: "sent", EMAIL_MARKET: "sent"}
    assert [r["data"]["market_id"] for r in emitted(db, "carrier.submission.requested")] == [QUEUE_MARKET]
    assert {e["data"]["market_id"]: e["data"]["channel"] for e in emitted(db, "marketing.submission.sent")} == {
        QUEUE_MARKET: "queue", EMAIL_MARKET: "email"}
    (email,) = package(http, auth, emailed_draft["id"])["emails"]
    assert (email["market_id"], email["status"], email["recipient"]) == (
        EMAIL_MARKET, "waiting", "uw@inbox-underwriters.example")
    assert email["subject"] == "Renewal submission: Delta Valley Freight LLC (AUTO, GL), effective 2027-02-25"


def test_the_package_goes_to_the_markets_underwriter_for_the_lines_and_state(db, http, auth, draft, markets, smtp):
    config, inbox = smtp
    add_email_market(http, auth)
    for contact in ({"name": "Pat Primary", "email": "pat@inbox-underwriters.example", "is_primary": True,
                     "lines": ["PROP"]},
                    {"name": "Tess Trucking", "email": "tess@inbox-underwriters.example", "lines": ["AUTO", "GL"],
                     "states": ["CA", "NV"]}):
        response = http.post(f"/api/v1/markets/{EMAIL_MARKET}/contacts", json=contact, headers=auth(**PM))
        assert response.status_code == 201, response.get_json()
    sent = send(http, auth, draft["id"], [EMAIL_MARKET])
    (email,) = package(http, auth, sent["id"])["emails"]
    assert email["recipient"] == "tess@inbox-underwriters.example"
    letter = next(r for r in package_requests(db) if r["kind"] == "submission_letter")
    assert (letter["payload"]["market"]["underwriter_name"], letter["payload"]["market"]["underwriter_email"]) == (
        "Tess Trucking", "tess@inbox-underwriters.example")
    assert list(send_due(db, config, FakeDocuments(render_all(db))).values()) == ["sent"]
    (_from, rcpt_tos, raw), = inbox.messages
    assert rcpt_tos == ["tess@inbox-underwriters.example"]
    assert "Dear Tess Trucking," in message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()


def test_the_worker_emails_the_package_once_rendered(db, http, auth, emailed_draft, smtp):
    config, inbox = smtp
    documents = FakeDocuments({})
    assert send_due(db, config, documents) == {}  # nothing rendered yet: nothing sent
    documents.files = render_all(db)
    (email,) = package(http, auth, emailed_draft["id"])["emails"]
    assert email["status"] == "ready"
    outcomes = send_due(db, config, documents)
    assert list(outcomes.values()) == ["sent"]
    (mail_from, rcpt_tos, raw), = inbox.messages
    assert (mail_from, rcpt_tos) == ("submissions@agency.example", ["uw@inbox-underwriters.example"])
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Subject"].strip() == email["subject"] and message["Message-ID"] == email["message_id"]  # folded
    assert message["To"] == "uw@inbox-underwriters.example"
    body = message.get_body(("plain",)).get_content()
    assert "Dear Underwriter," in body and "Delta Valley Freight LLC (DBA DVF Trucking)" in body
    assert "2025: 2 claim(s); paid $103,850.00, reserved $38,000.00, incurred $141,850.00" in body
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert sorted(name.split("-")[0] for name in attachments) == ["application", "specifications",
                                                                  "submission_letter"]
    assert set(attachments.values()) <= set(documents.files.values())
    (event,) = emitted(db, "marketing.submission.emailed")
    data = event["data"]
    assert (data["market_id"], data["recipients"], data["message_id"], data["attempts"]) == (
        EMAIL_MARKET, ["uw@inbox-underwriters.example"], email["message_id"], 1)
    assert data["body"] == body.replace("\r\n", "\n")
    assert sorted(a["kind"] for a in data["attachments"]) == ["application", "specifications", "submission_letter"]
    (email,) = package(http, auth, emailed_draft["id"])["emails"]
    assert (email["status"], email["attempts"], email["last_error"]) == ("sent", 1, None)
    assert send_due(db, config, documents) == {} and len(inbox.messages) == 1  # sent once
    with db.transaction() as session:
        actions = [entry["action"] for entry in history(session, "submission", emailed_draft["id"])]
    assert "submission.emailed" in actions


def test_an_unreachable_relay_is_retried_with_backoff_then_fails_with_the_reason(db, http, auth, emailed_draft):
    documents = FakeDocuments(render_all(db))
    config = SmtpConfig(host="127.0.0.1", port=free_port(), timeout=2, max_attempts=3, retry_seconds=60)
    clock = [utcnow()]
    assert list(send_due(db, config, documents, clock=lambda: clock[0]).values()) == ["ready"]
    (email,) = package(http, auth, emailed_draft["id"])["emails"]
    assert email["attempts"] == 1 and "unavailable" in email["last_error"]
    assert send_due(db, config, documents, clock=lambda: clock[0] + timedelta(seconds=30)) == {}  # not yet due
    clock[0] += timedelta(seconds=61)
    assert list(send_due(db, config, documents, clock=lambda: clock[0]).values()) == ["ready"]
    clock[0] += timedelta(seconds=121)  # the wait doubled
    assert list(send_due(db, config, documents, clock=lambda: clock[0]).values()) == ["failed"]
    (email,) = package(http, auth, emailed_draft["id"])["emails"]
    assert (email["status"], email["attempts"], email["next_attempt_at"]) == ("failed", 3, None)
    assert emitted(db, "marketing.submission.emailed") == []


def test_a_refused_recipient_fails_at_once_and_a_retry_sends_it(db, http, auth, emailed_draft, smtp):
    config, inbox = smtp
    documents = FakeDocuments(render_all(db))
    inbox.refuse_with = "550 5.1.1 No such user here"
    assert list(send_due(db, config, documents).values()) == ["failed"]
    (email,) = package(http, auth, emailed_draft["id"])["emails"]
    assert email["status"] == "failed" and "550" in email["last_error"] and email["attempts"] == 1
    inbox.refuse_with = None
    response = http.post(f"/api/v1/submissions/{emailed_draft['id']}/package/retry", headers=auth(**AM))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["emails"][0]["status"] == "ready"
    assert list(send_due(db, config, documents).values()) == ["sent"]
    assert len(inbox.messages) == 1


def test_a_document_that_cannot_be_rendered_fails_the_email_until_asked_again(db, http, auth, emailed_draft, smtp):
    config, inbox = smtp
    requests = package_requests(db)
    application = next(r for r in requests if r["kind"] == "application")
    for request in requests:
        deliver(db, failed_envelope(request) if request is application else generated_envelope(request))
    (email,) = package(http, auth, emailed_draft["id"])["emails"]
    assert email["status"] == "failed" and "application could not be rendered: template error" in email["last_error"]
    retried = http.post(f"/api/v1/submissions/{emailed_draft['id']}/package/retry", headers=auth(**AM))
    assert retried.status_code == 200 and retried.get_json()["emails"][0]["status"] == "waiting"
    again = package_requests(db)[-1]
    assert again["kind"] == "application" and again["payload"] == application["payload"]
    answer = generated_envelope(again)
    deliver(db, answer)
    files = {answer["data"]["download_path"]: content_of(again)}
    with db.transaction() as session:
        for document in session.scalars(select(PackageDocument).where(PackageDocument.status == "generated")):
            files[document.download_path] = f"%{document.kind} of {document.submission_id} " \
                                            f"({document.request_id})".encode()
    assert list(send_due(db, config, FakeDocuments(files)).values()) == ["sent"]
    assert len(inbox.messages) == 1


def test_a_document_that_does_not_match_its_checksum_is_not_sent(db, http, auth, emailed_draft, smtp):
    config, inbox = smtp
    files = {path: b"tampered" for path in render_all(db)}
    assert list(send_due(db, config, FakeDocuments(files)).values()) == ["ready"]
    (email,) = package(http, auth, emailed_draft["id"])["emails"]
    assert "checksum" in email["last_error"] and inbox.messages == []


def test_retry_without_a_failed_email_is_a_conflict(http, auth, emailed_draft):
    response = http.post(f"/api/v1/submissions/{emailed_draft['id']}/package/retry", headers=auth(**AM))
    assert response.status_code == 409
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_an_email_market_cannot_be_asked_to_requote_over_the_queue(db, emailed_draft):
    from services.marketing.domain import submissions
    from services.marketing.domain.errors import Conflict
    from services.marketing.models import Market, Submission

    with db.transaction() as session:
        with pytest.raises(Conflict):
            submissions.request_quote(session, session.get(Submission, emailed_draft["id"]),
                                      session.get(Market, EMAIL_MARKET), {})


def test_a_claimed_email_is_leased_so_a_second_worker_skips_it(db, emailed_draft):
    render_all(db)
    now = utcnow()
    with db.transaction() as session:
        first = email_channel.claim_due(session, now)
    with db.transaction() as session:
        second = email_channel.claim_due(session, now)
        after_lease = email_channel.claim_due(session, now + email_channel.LEASE + timedelta(seconds=1))
    assert len(first) == 1 and second == [] and len(after_lease) == 1
    assert after_lease[0].attempt == 2


# -- the pieces ---------------------------------------------------------------------------------

def test_smtp_settings_come_from_the_environment_with_development_defaults():
    assert SmtpConfig.from_env({}) == SmtpConfig()
    assert (SmtpConfig().host, SmtpConfig().port) == ("127.0.0.1", 8025)
    config = SmtpConfig.from_env({"SMTP_HOST": "relay.example", "SMTP_PORT": "587", "SMTP_STARTTLS": "true",
                                  "SMTP_USER": "agency", "SMTP_PASSWORD": "secret", "SMTP_FROM": "a@b.example",
                                  "MARKETING_SMTP_PORT": "2525", "SMTP_MAX_ATTEMPTS": "8"})
    assert (config.host, config.port, config.starttls, config.user, config.password, config.sender,
            config.max_attempts) == ("relay.example", 2525, True, "agency", "secret", "a@b.example", 8)
    with pytest.raises(ValueError, match="SMTP_PORT"):
        SmtpConfig.from_env({"SMTP_PORT": "twenty-five"})


def test_the_letter_text_carries_the_specifications_losses_and_signature(db, http, auth, emailed_draft):
    with db.transaction() as session:
        letter = session.scalar(select(PackageDocument).where(PackageDocument.kind == "submission_letter",
                                                              PackageDocument.market_id == EMAIL_MARKET))
        text = letter_text(letter.payload)
    assert text.startswith(utcnow().strftime("%B"))
    assert "Re: Renewal submission for Delta Valley Freight LLC (DBA DVF Trucking)" in text
    assert "Term February 25, 2027 to February 25, 2028" in text
    assert "General liability (GL)" in text and "Commercial auto (AUTO)" in text
    assert "each occurrence $1,000,000.00" in text
    assert "2026: 1 claim(s)" in text and "loss ratio 53.91%" in text
    assert "Sincerely,\n\nam.garcia\nAccount Manager\nSacramento Programs Insurance Services (License 0K12345)" in text


class _Documents(BaseHTTPRequestHandler):
    settings = None
    seen = []

    def do_GET(self):  # noqa: N802 - http.server's name
        principal = decode_token(self.headers["Authorization"].removeprefix("Bearer "), self.settings)
        self.seen.append((self.path, principal))
        if self.path.endswith("/missing/content"):
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.end_headers()
        self.wfile.write(b"%PDF-1.7 the application")

    def log_message(self, *_args):
        pass


def test_the_fetcher_downloads_from_documents_with_a_token_for_the_program_only(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Documents,), {"settings": settings, "seen": []}))
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        urls = {**settings.service_urls, "documents": f"http://127.0.0.1:{server.server_port}"}
        fetch = DocumentFetcher(type(settings)(**{**settings.__dict__, "service_urls": urls}))
        file = PackageFile("application", "doc-1", "application.pdf", "application/pdf", 10, "",
                           "/api/v1/documents/doc-1/content", "transportation")
        assert fetch(file) == b"%PDF-1.7 the application"
        ((path, principal),) = server.RequestHandlerClass.seen
        assert path == "/api/v1/documents/doc-1/content"
        assert principal.programs == frozenset({"transportation"}) and principal.roles == frozenset({"assistant"})
        with pytest.raises(SendFailure, match="404") as failure:
            fetch(PackageFile("application", "missing", "x.pdf", "application/pdf", 1, "",
                              "/api/v1/documents/missing/content", "transportation"))
        assert not failure.value.permanent
    finally:
        server.shutdown()
        server.server_close()


def test_without_a_service_credential_under_provider_tokens_sending_waits_with_the_reason(settings):
    provider_tokens = type(settings)(**{**settings.__dict__, "jwt_algorithms": ("RS256",),
                                        "jwks_url": "https://idp.example/.well-known/jwks.json"})
    file = PackageFile("application", "doc-1", "application.pdf", "application/pdf", 10, "",
                       "/api/v1/documents/doc-1/content", "transportation")
    with pytest.raises(SendFailure, match="SERVICE_TOKEN_URL") as failure:
        DocumentFetcher(provider_tokens)(file)
    assert not failure.value.permanent  # sent once the credential is configured


def test_the_worker_sends_package_emails_among_its_periodic_tasks(monkeypatch):
    from services.marketing.messaging import worker

    seen = {}
    monkeypatch.setattr(worker, "run_worker", lambda *args, **kwargs: seen.update(kwargs))
    worker.main()
    assert SUBMISSION_EMAILS in seen["tasks"]
    assert SUBMISSION_EMAILS.every_seconds <= 10


def test_email_rows_keep_their_message_id_across_attempts(db, emailed_draft):
    with db.transaction() as session:
        (email,) = session.scalars(select(SubmissionEmail)).all()
        assert email.message_id.startswith("<") and email.message_id.endswith("@sacramento-programs.example>")
