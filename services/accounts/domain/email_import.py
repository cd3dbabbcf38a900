"""Reading an RFC 5322 message (.eml) into a communication: sender, recipients, subject,
date, body text (text/plain preferred, else the HTML's text), and attachments."""
from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.errors import MessageError
from html.parser import HTMLParser

from services.accounts.domain.errors import Invalid

MAX_ATTACHMENTS = 50


@dataclass
class ParsedEmail:
    sender: str | None
    recipients: list[str]
    subject: str
    occurred_at: datetime | None
    body: str
    message_id: str | None
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # (filename, media type, content)


def parse_eml(content: bytes) -> ParsedEmail:
    try:
        message = email.message_from_bytes(content, policy=email.policy.default)
        parsed = ParsedEmail(
            sender=_header(message, "From"), recipients=_recipients(message),
            subject=(_header(message, "Subject") or "(no subject)")[:300], occurred_at=_date(message),
            body=_body(message), message_id=(_header(message, "Message-ID") or None),
            attachments=_attachments(message))
    except (MessageError, ValueError, LookupError, TypeError, AttributeError) as exc:
        raise Invalid("The file is not a readable email message.", {"file": [str(exc)[:200]]}) from None
    if parsed.sender is None and not parsed.recipients:
        raise Invalid("The file is not an email message (no From, To or Cc).", {"file": ["Not an RFC 5322 message."]})
    return parsed


def _header(message, name: str) -> str | None:
    value = message.get(name)
    return str(value).strip()[:300] if value is not None and str(value).strip() else None


def _recipients(message) -> list[str]:
    found = []
    for name in ("To", "Cc"):
        header = message.get(name)
        for address in getattr(header, "addresses", ()) if header is not None else ():
            if address.addr_spec and address.addr_spec not in found:
                found.append(address.addr_spec)
    return found


def _date(message) -> datetime | None:
    header = message.get("Date")
    value = getattr(header, "datetime", None) if header is not None else None
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _body(message) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_subtype() == "html":
        text = html_text(text)
    return text.strip()


def _attachments(message) -> list[tuple[str, str, bytes]]:
    found = []
    for number, part in enumerate(message.iter_attachments(), start=1):
        content = part.get_payload(decode=True)
        if content is None:  # an attached message/rfc822: keep it as the .eml it is
            content = part.as_bytes()
        filename = (part.get_filename() or f"attachment-{number}")[:300]
        found.append((filename, part.get_content_type(), content))
    if len(found) > MAX_ATTACHMENTS:
        raise ValueError(f"more than {MAX_ATTACHMENTS} attachments")
    return found


class _TextOfHtml(HTMLParser):
    SKIP = {"script", "style", "head"}
    BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, _attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return "\n".join(line for line in lines if line)
