"""The email channel: a market that takes submissions by email gets its package (the
submission letter as the message text, the application, specifications and letter
attached) through an SMTP relay, sent by the marketing worker, never in an HTTP request.

Life of a :class:`~services.marketing.models.SubmissionEmail`:

* ``waiting``  queued when the submission is sent; the package is being rendered;
* ``ready``    every package document is rendered: the worker may send it
               (``next_attempt_at``; a claimed email is leased for :data:`LEASE`);
* ``sent``     the relay accepted it: ``marketing.submission.emailed`` is published
               (accounts logs it on the account's communication log);
* ``failed``   a document could not be rendered, the relay refused it for good (5xx),
               or the last of ``SMTP_MAX_ATTEMPTS`` attempts failed; ``last_error`` says
               why.  ``retry`` puts it back.

Delivery is at least once: should the worker die between the relay's acceptance and the
commit, the message is sent again after the lease, with the same ``Message-ID``.

Every marketing worker runs the sender, so two may look for due emails at the same moment.
An email is claimed by a conditional update (only one worker's matches) just before its
attempt, never many at once ahead of a queue of slow attempts whose leases would run out
while they wait; the claim's attempt number is its fence: the lease is renewed, again
conditionally, once the documents are fetched and before the relay is spoken to, and an
attempt whose claim was taken over (its lease ran out) does not send; the outcome is
recorded only by the attempt that still holds the claim.  Only a worker stalled for a
whole lease in the middle of the SMTP conversation can still send a message twice.

Configuration (``MARKETING_<NAME>`` wins over ``<NAME>``): ``SMTP_HOST`` (127.0.0.1),
``SMTP_PORT`` (8025, the development sink ``ops/mail_sink.py``), ``SMTP_FROM``,
``SMTP_USER`` / ``SMTP_PASSWORD`` (log in when set), ``SMTP_STARTTLS`` (1/true),
``SMTP_TIMEOUT`` (seconds, 30), ``SMTP_MAX_ATTEMPTS`` (5), ``SMTP_RETRY_SECONDS`` (60,
doubled after each failure).
"""
from __future__ import annotations

import hashlib
import logging
import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.marketing.domain import submission_package
from services.marketing.domain.submission_package import PACKAGE_KINDS
from services.marketing.models import Market, PackageDocument, Submission, SubmissionEmail
from shared.contracts.types import LINES_OF_BUSINESS
from shared.kit.audit import audit
from shared.kit.db import Database, utcnow
from shared.kit.outbox import record_event

log = logging.getLogger(__name__)

SOURCE = "marketing"
ACTOR = "service:marketing"
DEFAULT_FROM = "submissions@sacramento-programs.example"
LEASE = timedelta(minutes=5)
ERROR_MAX = 1000


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 8025
    sender: str = DEFAULT_FROM
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0
    max_attempts: int = 5
    retry_seconds: float = 60.0

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "SmtpConfig":
        env = os.environ if environ is None else environ

        def value(name: str) -> str | None:
            return env.get(f"MARKETING_{name}") or env.get(name) or None

        def number(name: str, default, kind):
            raw = value(name)
            if raw is None:
                return default
            try:
                parsed = kind(raw)
            except ValueError:
                raise ValueError(f"{name} must be a number, not {raw!r}") from None
            if parsed <= 0:
                raise ValueError(f"{name} must be positive, not {raw!r}")
            return parsed

        return cls(
            host=value("SMTP_HOST") or cls.host,
            port=number("SMTP_PORT", cls.port, int),
            sender=sender_address(env),
            user=value("SMTP_USER"),
            password=value("SMTP_PASSWORD"),
            starttls=(value("SMTP_STARTTLS") or "").strip().lower() in ("1", "true", "yes", "on"),
            timeout=number("SMTP_TIMEOUT", cls.timeout, float),
            max_attempts=number("SMTP_MAX_ATTEMPTS", cls.max_attempts, int),
            retry_seconds=number("SMTP_RETRY_SECONDS", cls.retry_seconds, float),
        )


# -- queueing and readiness (in the transactions of the send and of documents' answers) ----------

def sender_address(environ: dict | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("MARKETING_SMTP_FROM") or env.get("SMTP_FROM") or DEFAULT_FROM


def queue_email(session: Session, submission: Submission, market: Market) -> SubmissionEmail:
    """The package email to ``market`` (once per submission and market), addressed to the
    market's underwriter for it (:func:`submission_package.underwriter_for`) or else the
    market's address; its Message-ID is fixed now, so every attempt sends the same message."""
    existing = session.scalar(select(SubmissionEmail).where(SubmissionEmail.submission_id == submission.id,
                                                            SubmissionEmail.market_id == market.id))
    if existing is not None:
        return existing
    now = utcnow()
    email_id = uuid.uuid4()
    domain = sender_address().rpartition("@")[2] or "localhost"
    underwriter = submission_package.underwriter_for(session, market, submission)
    email = SubmissionEmail(
        id=str(email_id), submission_id=submission.id, market_id=market.id,
        recipient=submission_package.market_ref(market, underwriter)["underwriter_email"],
        subject=subject_of(submission)[:300], message_id=f"<{email_id.hex}@{domain}>",
        status="waiting", attempts=0, created_at=now, updated_at=now)
    session.add(email)
    return email


def subject_of(submission: Submission) -> str:
    kind = "Renewal submission" if submission.kind == "renewal" else "New business submission"
    lines = ", ".join(submission.lines)
    return (f"{kind}: {submission.insured['name']} ({lines}), effective "
            f"{submission.effective_date.isoformat()}")


def refresh(session: Session, submission_id: str) -> list[SubmissionEmail]:
    """Emails of the submission waiting for their package: ready once every document is
    rendered, failed when one could not be.  Returns the emails that changed."""
    changed = []
    now = utcnow()
    waiting = session.scalars(select(SubmissionEmail).where(SubmissionEmail.submission_id == submission_id,
                                                            SubmissionEmail.status == "waiting"))
    for email in waiting:
        state = submission_package.state_of(session, submission_id, email.market_id)
        if state.status == "complete":
            email.status, email.next_attempt_at = "ready", now
        elif state.status == "failed":
            email.status, email.last_error, email.next_attempt_at = "failed", state.reason[:ERROR_MAX], None
            audit(session, ACTOR, "submission.email_failed", "submission", submission_id,
                  market_id=email.market_id, reason=email.last_error)
        else:
            continue
        email.updated_at = now
        changed.append(email)
    return changed


def retry(session: Session, submission: Submission, actor: str) -> tuple[list[str], list[str]]:
    """Put the submission's failed emails back on the way, asking again for any package
    document that failed.  Returns (request ids asked again, market ids retried)."""
    failed = list(session.scalars(select(SubmissionEmail).where(SubmissionEmail.submission_id == submission.id,
                                                                SubmissionEmail.status == "failed")))
    documents = submission_package.documents_of(session, submission.id)
    broken = {}  # the failed documents of the failed emails' packages (shared ones once)
    for email in failed:
        for document in submission_package.latest(documents, email.market_id).values():
            if document.status == "failed":
                broken[document.request_id] = document
    asked = [submission_package.request_again(session, document, actor) for document in broken.values()]
    now = utcnow()
    for email in failed:
        email.status, email.attempts, email.last_error = "waiting", 0, None
        email.next_attempt_at, email.updated_at = None, now
        audit(session, actor, "submission.email_retried", "submission", submission.id, market_id=email.market_id)
    session.flush()
    refresh(session, submission.id)
    return asked, [email.market_id for email in failed]


# -- sending (the worker) ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PackageFile:
    kind: str
    document_id: str
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    download_path: str
    program: str


@dataclass
class OutgoingEmail:
    """Everything one attempt needs, read in a short transaction and used outside it."""

    email_id: str
    submission_id: str
    client_id: str
    program: str
    market_id: str
    market_name: str
    account_manager: str | None
    recipient: str
    subject: str
    message_id: str
    attempt: int
    body: str
    files: list[PackageFile] = field(default_factory=list)


class SendFailure(Exception):
    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


Fetch = Callable[[PackageFile], bytes]


def claim_due(session: Session, now: datetime, limit: int = 20) -> list[OutgoingEmail]:
    """Claim ready emails whose time has come: each attempt is counted and leased (another
    worker skips it; a worker that dies leaves it to be retried after :data:`LEASE`).  The
    claim is a conditional update of the row as it was read, so of two workers claiming
    one email, one gets it (PostgreSQL re-checks the other's condition on the updated row)."""
    due = session.execute(select(SubmissionEmail.id, SubmissionEmail.next_attempt_at)
                          .where(SubmissionEmail.status == "ready", SubmissionEmail.next_attempt_at <= now)
                          .order_by(SubmissionEmail.next_attempt_at, SubmissionEmail.id).limit(limit)).all()
    jobs = []
    for email_id, due_at in due:
        claimed = session.execute(
            update(SubmissionEmail)
            .where(SubmissionEmail.id == email_id, SubmissionEmail.status == "ready",
                   SubmissionEmail.next_attempt_at == due_at)
            .values(attempts=SubmissionEmail.attempts + 1, next_attempt_at=now + LEASE, updated_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if claimed == 1:
            jobs.append(_outgoing(session, session.get(SubmissionEmail, email_id, populate_existing=True)))
    return jobs


class LostClaim(Exception):
    """Another worker claimed the email after this attempt's lease ran out."""


def renew_claim(session: Session, job: OutgoingEmail, now: datetime) -> bool:
    """Extend the lease of ``job``'s claim (for one more :data:`LEASE` from ``now``) if it
    is still this attempt's: the email is still ready and no later attempt was counted."""
    return session.execute(
        update(SubmissionEmail)
        .where(SubmissionEmail.id == job.email_id, SubmissionEmail.status == "ready",
               SubmissionEmail.attempts == job.attempt)
        .values(next_attempt_at=now + LEASE, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1


def _claimed(session: Session, job: OutgoingEmail) -> SubmissionEmail | None:
    """The email, locked, if ``job`` still holds its claim (else None, logged)."""
    email = session.get(SubmissionEmail, job.email_id, with_for_update=True, populate_existing=True)
    if email is None or email.status != "ready" or email.attempts != job.attempt:
        log.warning("submission email %s: attempt %d no longer holds its claim (now %s, attempt %s); "
                    "its outcome is not recorded", job.email_id, job.attempt,
                    email.status if email else "gone", email.attempts if email else "-")
        return None
    return email


def _outgoing(session: Session, email: SubmissionEmail) -> OutgoingEmail:
    submission = session.get(Submission, email.submission_id)
    market = session.get(Market, email.market_id)
    state = submission_package.state_of(session, submission.id, market.id)
    documents = {d.kind: d for d in state.documents}
    letter = documents.get("submission_letter")
    return OutgoingEmail(
        email_id=email.id, submission_id=submission.id, client_id=submission.client_id, program=submission.program,
        market_id=market.id, market_name=market.name, account_manager=submission.account_manager,
        recipient=email.recipient, subject=email.subject, message_id=email.message_id, attempt=email.attempts,
        body=letter_text(letter.payload) if letter is not None else "",
        files=[_file(documents[kind], submission.program) for kind in PACKAGE_KINDS if kind in documents
               and documents[kind].status == "generated"],
    )


def _file(document: PackageDocument, program: str) -> PackageFile:
    return PackageFile(kind=document.kind, document_id=document.document_id, filename=document.filename,
                       media_type=document.media_type or "application/octet-stream",
                       size_bytes=document.size_bytes or 0, sha256=document.sha256 or "",
                       download_path=document.download_path, program=program)


def build_message(job: OutgoingEmail, contents: list[tuple[PackageFile, bytes]], config: SmtpConfig,
                  now: datetime) -> EmailMessage:
    """The RFC 5322 message: the letter as text, the package documents attached."""
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = job.recipient
    message["Subject"] = job.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = job.message_id
    message["X-CMP-Submission"] = job.submission_id
    message.set_content(job.body)
    for file, content in contents:
        maintype, _slash, subtype = file.media_type.partition("/")
        message.add_attachment(content, maintype=maintype or "application", subtype=subtype or "octet-stream",
                               filename=file.filename)
    return message


def deliver(message: EmailMessage, config: SmtpConfig) -> None:
    """Hand the message to the relay.  Raises :class:`SendFailure` (permanent for a 5xx)."""
    try:
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.user:
                smtp.login(config.user, config.password or "")
            refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {code} {_text(text)}" for rcpt, (code, text) in exc.recipients.items())
        raise SendFailure(f"recipient refused: {detail}", permanent=all(code >= 500 for code in codes)) from None
    except smtplib.SMTPResponseException as exc:
        raise SendFailure(f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}", permanent=exc.smtp_code >= 500) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendFailure(f"SMTP relay {config.host}:{config.port} unavailable: {exc}") from None
    if refused:
        raise SendFailure(f"recipient refused: {refused}", permanent=True)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def attempt(job: OutgoingEmail, fetch: Fetch, config: SmtpConfig, now: datetime,
            still_claimed: Callable[[], bool] = lambda: True) -> list[dict]:
    """One attempt: fetch every document (checked against its checksum), make sure the
    claim still holds (``still_claimed``: renews the lease; raises :class:`LostClaim` if
    not), build, deliver.  Returns the attachments as the event lists them."""
    if {file.kind for file in job.files} != set(PACKAGE_KINDS):
        raise SendFailure("the package is incomplete", permanent=True)
    contents = []
    for file in job.files:
        try:
            content = fetch(file)
        except SendFailure:
            raise
        except Exception as exc:  # noqa: BLE001 - any fetch problem is retried
            raise SendFailure(f"cannot fetch {file.filename} from documents: {exc}") from None
        if file.sha256 and hashlib.sha256(content).hexdigest() != file.sha256:
            raise SendFailure(f"{file.filename} fetched from documents does not match its checksum")
        contents.append((file, content))
    if not still_claimed():
        raise LostClaim(job.email_id)
    deliver(build_message(job, contents, config, now), config)
    return [{"kind": file.kind, "document_id": file.document_id, "filename": file.filename,
             "media_type": file.media_type, "size_bytes": len(content)} for file, content in contents]


def record_sent(session: Session, job: OutgoingEmail, attachments: list[dict], config: SmtpConfig,
                sent_at: datetime) -> bool:
    """Mark the email sent and announce it, if ``job`` still holds the claim (False if not:
    the attempt that took it over records its own outcome, so the email is announced once)."""
    email = _claimed(session, job)
    if email is None:
        return False
    email.status, email.sent_at, email.last_error = "sent", sent_at, None
    email.next_attempt_at, email.updated_at = None, sent_at
    record_event(session, SOURCE, "marketing.submission.emailed", {
        "submission_id": job.submission_id, "client_id": job.client_id, "program": job.program,
        "market_id": job.market_id, "market_name": job.market_name, "email_id": job.email_id,
        "message_id": job.message_id, "sender": config.sender, "recipients": [job.recipient],
        "subject": job.subject, "body": job.body, "attachments": attachments, "sent_at": sent_at.isoformat(),
        "attempts": job.attempt, "account_manager": job.account_manager,
    }, subject=job.submission_id)
    audit(session, ACTOR, "submission.emailed", "submission", job.submission_id, market_id=job.market_id,
          message_id=job.message_id, recipient=job.recipient, attempts=job.attempt,
          documents=[a["document_id"] for a in attachments])
    return True


def record_failure(session: Session, job: OutgoingEmail, failure: SendFailure, config: SmtpConfig,
                   now: datetime) -> str | None:
    """Retry later (the wait doubles each time) or give up; returns the new status (None if
    ``job`` no longer holds the claim: then nothing is recorded)."""
    email = _claimed(session, job)
    if email is None:
        return None
    email.last_error, email.updated_at = failure.reason[:ERROR_MAX], now
    if failure.permanent or email.attempts >= config.max_attempts:
        email.status, email.next_attempt_at = "failed", None
        audit(session, ACTOR, "submission.email_failed", "submission", job.submission_id, market_id=job.market_id,
              reason=email.last_error, attempts=email.attempts, permanent=failure.permanent)
    else:
        email.next_attempt_at = now + timedelta(seconds=config.retry_seconds * 2 ** (email.attempts - 1))
    return email.status


def send_due(db: Database, config: SmtpConfig, fetch: Fetch, *, limit: int = 20,
             clock: Callable[[], datetime] = utcnow) -> dict[str, str]:
    """Send every email whose time has come (at most ``limit``), claiming each just before
    its attempt; returns {email id: status after the attempt} (an attempt that lost its
    claim to another worker is left out)."""
    outcomes = {}
    for _ in range(limit):
        with db.transaction() as session:
            jobs = claim_due(session, clock(), 1)
        if not jobs:
            break
        job, = jobs
        status = _send(db, job, config, fetch, clock)
        if status is not None:
            outcomes[job.email_id] = status
    return outcomes


def _send(db: Database, job: OutgoingEmail, config: SmtpConfig, fetch: Fetch,
          clock: Callable[[], datetime]) -> str | None:
    def still_claimed() -> bool:
        with db.transaction() as session:
            return renew_claim(session, job, clock())

    try:
        attachments = attempt(job, fetch, config, clock(), still_claimed)
    except LostClaim:
        log.warning("submission email %s (attempt %d) not sent: another worker took it over after the lease "
                    "ran out", job.email_id, job.attempt)
        return None
    except SendFailure as failure:
        log.warning("submission email %s to %s (attempt %d) failed: %s", job.email_id, job.recipient,
                    job.attempt, failure.reason)
        with db.transaction() as session:
            return record_failure(session, job, failure, config, clock())
    with db.transaction() as session:
        recorded = record_sent(session, job, attachments, config, clock())
    if not recorded:
        return None
    log.info("submission %s emailed to %s (%s)", job.submission_id, job.recipient, job.message_id)
    return "sent"


# -- the letter as text ------------------------------------------------------------------------------

def letter_text(payload: dict) -> str:
    """The submission letter (``SubmissionLetterSchema`` JSON) as the plain text of the email."""
    insured, market, agency = payload["insured"], payload["market"], payload["agency"]
    period = payload["period"]
    kind = "renewal" if payload.get("kind", "renewal") == "renewal" else "new business"
    name = insured["name"] + (f" (DBA {insured['dba']})" if insured.get("dba") else "")
    out = [
        _long_date(payload["prepared_on"]), "",
        market.get("underwriter_name") or "Underwriting Department",
        market.get("carrier_name") or market["name"],
        *([market["underwriter_email"]] if market.get("underwriter_email") else []), "",
        f"Re: {kind.capitalize()} submission for {name}",
        f"    Term {_long_date(period['effective_date'])} to {_long_date(period['expiration_date'])}",
        "",
        f"Dear {market.get('underwriter_name') or 'Underwriter'},",
        "",
        f"On behalf of our client {name}, we submit the {kind} of the lines below for your "
        f"consideration and ask for your quotation by {_long_date(payload['respond_by'])}.",
    ]
    address = insured.get("address")
    about = []
    if address:
        about.append(f"located at {address['line1']}, {address['city']}, {address['state']} {address['postal_code']}")
    if insured.get("naics"):
        about.append(f"NAICS {insured['naics']}")
    if insured.get("operations"):
        about.append(insured["operations"])
    if about:
        out += ["", f"The insured is {'; '.join(about)}."]
    credentials = insured.get("credentials") or []
    if credentials:
        out.append("Regulatory credentials: " + ", ".join(f"{c['kind']} {c['number']}" for c in credentials) + ".")
    out += ["", "REQUESTED COVERAGES"]
    for line in payload["lines"]:
        out.append(f"{LINES_OF_BUSINESS.get(line['line_of_business'], line['line_of_business'])} "
                   f"({line['line_of_business']})")
        for coverage in line["coverages"]:
            out.append(f"  - {_coverage(coverage)}")
        expiring = []
        if line.get("expiring_carrier"):
            expiring.append(line["expiring_carrier"])
        if line.get("expiring_policy_number"):
            expiring.append(f"policy {line['expiring_policy_number']}")
        if line.get("expiring_premium"):
            expiring.append(f"premium {_money(line['expiring_premium'])}")
        if expiring:
            out.append(f"    Expiring: {', '.join(expiring)}")
    if payload.get("target_premium"):
        out += ["", f"Target premium: {_money(payload['target_premium'])}"]
    out += ["", "LOSS HISTORY (by policy year)"]
    if payload.get("loss_history"):
        for year in payload["loss_history"]:
            row = (f"  {year['policy_year']}: {year['claim_count']} claim(s); paid {_money(year['paid'])}, "
                   f"reserved {_money(year['reserved'])}, incurred {_money(year['incurred'])}")
            out.append(row + (f" ({year['notes']})" if year.get("notes") else ""))
    else:
        out.append("  No losses on file.")
    if payload.get("underwriting_notes"):
        out += ["", "UNDERWRITING NOTES", payload["underwriting_notes"]]
    out += ["", "Enclosed: submission letter, specifications and application.", "",
            "Please send your quotation, indication or declination (with its reason) by "
            f"{_long_date(payload['respond_by'])}.", "", "Sincerely,", "",
            payload["account_manager"]["name"]]
    if payload["account_manager"].get("title"):
        out.append(payload["account_manager"]["title"])
    out.append(f"{agency['name']} (License {agency['license_number']})")
    for extra in ("address", "phone", "email"):
        if agency.get(extra):
            out.append(agency[extra])
    return "\n".join(out) + "\n"


def _coverage(coverage: dict) -> str:
    parts = [coverage["code"] + (f" {coverage['description']}" if coverage.get("description") else "")]
    limits = [f"{limit['kind'].replace('_', ' ')} "
              f"{'statutory' if limit.get('amount') is None else _money(limit['amount'])}"
              for limit in coverage.get("limits") or []]
    if limits:
        parts.append("limits: " + "; ".join(limits))
    deductible = coverage.get("deductible")
    if deductible:
        parts.append(f"{deductible.get('kind', 'deductible').replace('_', ' ')} {_money(deductible['amount'])}")
    return ", ".join(parts)


def _money(money: dict) -> str:
    amount = Decimal(str(money["amount"]))
    currency = money.get("currency", "USD")
    return f"${amount:,.2f}" if currency == "USD" else f"{amount:,.2f} {currency}"


def _long_date(value: str | date) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%B} {day.day}, {day.year}"
