"""The event envelope, with CloudEvents 1.0 attribute names plus ``correlationid`` and
``causationid`` extensions.  ``type`` is also the routing key; ``dataschema`` names the
version (``urn:cmp:schema:<type>:<version>``)."""
from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import ValidationError, fields, validate, validates

from shared.contracts.base import ContractSchema

SPEC_VERSION = "1.0"
SCHEMA_URN = "urn:cmp:schema:{type}:{version}"
TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,4}$"


def dataschema_for(event_type: str, version: int) -> str:
    return SCHEMA_URN.format(type=event_type, version=version)


def version_of(dataschema: str, event_type: str) -> int | None:
    prefix = f"urn:cmp:schema:{event_type}:"
    if not dataschema or not dataschema.startswith(prefix):
        return None
    tail = dataschema[len(prefix):]
    return int(tail) if tail.isdigit() else None


class EnvelopeSchema(ContractSchema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    source = fields.String(required=True, validate=validate.Length(min=1, max=200))
    type = fields.String(required=True, validate=validate.Regexp(TYPE_PATTERN))
    specversion = fields.String(required=True, validate=validate.Equal(SPEC_VERSION))
    time = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    subject = fields.String(load_default=None, allow_none=True)
    datacontenttype = fields.String(load_default="application/json", validate=validate.Equal("application/json"))
    dataschema = fields.String(required=True)
    correlationid = fields.String(load_default=None, allow_none=True)
    causationid = fields.String(load_default=None, allow_none=True)
    data = fields.Dict(required=True)

    @validates("time")
    def _not_naive(self, value, **_kwargs):
        if value.tzinfo is None:
            raise ValidationError("time must carry a timezone")


def build_envelope(*, event_type: str, version: int, source: str, data: dict, message_id: str,
                   subject: str | None, correlation_id: str | None, causation_id: str | None,
                   time: datetime | None = None) -> dict:
    return {
        "id": message_id,
        "source": source,
        "type": event_type,
        "specversion": SPEC_VERSION,
        "time": (time or datetime.now(timezone.utc)).isoformat(),
        "subject": subject,
        "datacontenttype": "application/json",
        "dataschema": dataschema_for(event_type, version),
        "correlationid": correlation_id,
        "causationid": causation_id,
        "data": data,
    }
