"""The development mail sink (``ops/mail_sink.py``, started by ``make run``): every message
the platform sends over SMTP lands in var/mail as an .eml file, nothing leaves the machine."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from email import message_from_bytes, policy
from email.message import EmailMessage

from ops.mail_sink import start
from services.marketing.domain.email_channel import SmtpConfig, deliver
from shared import testing
from shared.kit.config import REPO_ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _message(subject="Renewal submission: Delta Valley Freight LLC") -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@agency.example", "uw@carrier.example", subject
    message["Message-ID"] = "<0123456789abcdef@agency.example>"
    message.set_content("Dear Underwriter,\n\nPlease find the package attached.\n")
    message.add_attachment(b"%PDF-1.7 application", maintype="application", subtype="pdf", filename="application.pdf")
    return message


def test_each_message_is_written_whole_as_an_eml_file(tmp_path):
    port = _free_port()
    controller = start("127.0.0.1", port, tmp_path / "mail")
    try:
        deliver(_message(), SmtpConfig(host="127.0.0.1", port=port, timeout=5))
        deliver(_message("Second"), SmtpConfig(host="127.0.0.1", port=port, timeout=5))
    finally:
        controller.stop()
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2 and not list((tmp_path / "mail").glob(".*.part"))
    stored = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert stored["X-Sink-Rcpt-To"] == "uw@carrier.example" and stored["X-Sink-Mail-From"] == "a@agency.example"
    assert stored["Message-ID"] == "<0123456789abcdef@agency.example>"
    assert "Please find the package attached." in stored.get_body(("plain",)).get_content()
    assert [part.get_filename() for part in stored.iter_attachments()] == ["application.pdf"]


def test_the_command_serves_until_terminated(tmp_path):
    port = _free_port()
    env = {**os.environ, "VAR_DIR": str(tmp_path), "MAIL_SINK_PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "ops.mail_sink"], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def accepting():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return True
            except OSError:
                return False

        testing.wait_for(accepting, timeout=20, message="the mail sink listening")
        deliver(_message(), SmtpConfig(host="127.0.0.1", port=port, timeout=5))
        assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


def test_make_run_starts_the_sink_where_marketing_sends_by_default():
    procfile = (REPO_ROOT / "Procfile").read_text()
    assert "python -m ops.mail_sink" in procfile
    assert (SmtpConfig.from_env({}).host, SmtpConfig.from_env({}).port) == ("127.0.0.1", 8025)
