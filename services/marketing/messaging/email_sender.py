"""The worker's side of the email channel: fetch each package document from the documents
service's download API (with the worker's service token: the identity provider's, by
client credentials, or in development a short-lived one that sees only the submission's
program; :class:`shared.kit.auth.ServiceTokens`) and send the due package emails through
the SMTP relay (:mod:`services.marketing.domain.email_channel`)."""
from __future__ import annotations

from datetime import timedelta

import requests

from services.marketing.domain.email_channel import PackageFile, SendFailure, SmtpConfig, send_due
from shared.kit.auth import AuthError, ServiceTokens
from shared.kit.config import Settings
from shared.kit.db import Database
from shared.kit.worker import PeriodicTask

SERVICE_USER = "svc.marketing-worker"


class DocumentFetcher:
    """Downloads rendered documents as the marketing worker."""

    def __init__(self, settings: Settings, timeout: float = 30.0, session: requests.Session | None = None):
        self.settings = settings
        self.base_url = settings.service_urls["documents"].rstrip("/")
        self.timeout = timeout
        self.http = session or requests.Session()
        self.tokens = ServiceTokens(settings, SERVICE_USER, name="Marketing worker (submission emails)",
                                    roles=("assistant",), ttl=timedelta(minutes=5), http=self.http)

    def token(self, program: str) -> str:
        try:
            return self.tokens.token(program)
        except AuthError as exc:
            raise SendFailure(exc.detail) from None

    def __call__(self, file: PackageFile) -> bytes:
        if not file.download_path or not file.download_path.startswith("/"):
            raise SendFailure(f"{file.filename} has no download path", permanent=True)
        try:
            response = self.http.get(self.base_url + file.download_path, timeout=self.timeout,
                                     headers={"Authorization": f"Bearer {self.token(file.program)}"})
        except requests.RequestException as exc:
            raise SendFailure(f"documents service unreachable for {file.filename}: {exc}") from None
        if response.status_code != 200:
            raise SendFailure(f"documents answered {response.status_code} for {file.filename} "
                              f"({file.document_id})")
        return response.content


def send_submission_emails(db: Database, settings: Settings) -> None:
    """Periodic task: the package emails whose time has come (SMTP settings read each run,
    so a corrected relay setting takes effect without a restart)."""
    send_due(db, SmtpConfig.from_env(), DocumentFetcher(settings))


SUBMISSION_EMAILS = PeriodicTask("submission-emails", 5, send_submission_emails)
