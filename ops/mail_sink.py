"""The development mail sink: an SMTP server (aiosmtpd) that accepts every message and
writes it, as received, to ``var/mail/<UTC time>-<id>.eml`` (open it with any mail client),
so nothing the platform emails in development leaves the machine.  ``make run`` starts it
through the Procfile; marketing's SMTP defaults (127.0.0.1:8025) point at it.

    python -m ops.mail_sink [--host 127.0.0.1] [--port 8025] [--dir var/mail]

``MAIL_SINK_HOST``, ``MAIL_SINK_PORT`` and ``MAIL_SINK_DIR`` set the same from the environment.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

from aiosmtpd.controller import Controller

from shared.kit.config import REPO_ROOT

log = logging.getLogger("ops.mail_sink")


class MailDirectory:
    """aiosmtpd handler: each message becomes one .eml file (written whole, then renamed,
    so a reader never sees half a message), with the envelope in ``X-Sink-*`` headers."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        path = self.store(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        log.info("message from %s to %s stored as %s", envelope.mail_from, ", ".join(envelope.rcpt_tos), path.name)
        return "250 Message accepted for delivery"

    def store(self, mail_from: str, rcpt_tos: list[str], content: bytes) -> Path:
        now = datetime.now(timezone.utc)
        name = f"{now:%Y%m%dT%H%M%S.%fZ}-{uuid.uuid4().hex[:8]}.eml"
        headers = (f"X-Sink-Received: {now.isoformat()}\r\nX-Sink-Mail-From: {mail_from}\r\n"
                   f"X-Sink-Rcpt-To: {', '.join(rcpt_tos)}\r\n").encode()
        partial = self.directory / f".{name}.part"
        partial.write_bytes(headers + content)
        final = self.directory / name
        partial.replace(final)
        return final


def default_dir() -> Path:
    return Path(os.environ.get("MAIL_SINK_DIR") or Path(os.environ.get("VAR_DIR") or REPO_ROOT / "var") / "mail")


def start(host: str, port: int, directory: Path) -> Controller:
    controller = Controller(MailDirectory(directory), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.mail_sink", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("MAIL_SINK_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("MAIL_SINK_PORT") or 8025))
    parser.add_argument("--dir", type=Path, default=None, help="where the .eml files go (default var/mail)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s mail-sink %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    directory = (args.dir or default_dir()).resolve()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    controller = start(args.host, args.port, directory)
    log.info("SMTP sink on %s:%d writing to %s", args.host, args.port, directory)
    try:
        stop.wait()
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
