"""Export the public carrier contract as JSON Schema (2020-12) for carriers who are not
written in Python.  ``python -m shared.contracts.jsonschema`` rewrites the committed files
under ``shared/contracts/jsonschema/``; a test fails when they are stale."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from shared.contracts.base import DecimalString
from shared.contracts.carrier import INTAKE_TYPE, OUTBOUND_TYPE, REPLY_TYPE
from shared.contracts.carrier_binding import (
    ACKNOWLEDGED_TYPE, BIND_CANCELLED_TYPE, BIND_CONFIRMED_TYPE, BIND_DECLINED_TYPE, BIND_REQUESTED_TYPE,
    POLICY_ISSUED_TYPE,
)
from shared.contracts.envelope import SPEC_VERSION, TYPE_PATTERN, dataschema_for
from shared.contracts.registry import contract

OUT_DIR = Path(__file__).parent / "jsonschema"
PUBLIC = (OUTBOUND_TYPE, INTAKE_TYPE, REPLY_TYPE, ACKNOWLEDGED_TYPE, BIND_REQUESTED_TYPE, BIND_CONFIRMED_TYPE,
          POLICY_ISSUED_TYPE, BIND_DECLINED_TYPE, BIND_CANCELLED_TYPE)
DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"
NON_NEGATIVE_PATTERN = r"^\d+(\.\d+)?$"


def _decimal_as_string(self, field, **_kwargs):
    """Decimal strings, described from the field's own validators, so the output does not
    depend on what else registered field mappings in this process."""
    if not isinstance(field, DecimalString):
        return {}
    from marshmallow import validate

    low = high = None
    for validator in field.validators:
        if isinstance(validator, validate.Range):
            low, high = validator.min, validator.max
    bounds = [f"at least {low}" if low is not None else "", f"at most {high}" if high is not None else ""]
    said = " and ".join(b for b in bounds if b)
    return {
        "type": ["string", "null"] if field.allow_none else "string",
        "pattern": NON_NEGATIVE_PATTERN if low is not None and low >= 0 else DECIMAL_PATTERN,
        "description": "A decimal number as a string" + (f", {said}" if said else "") + ".",
    }


def _decimal_bounds(prop: dict) -> None:
    """JSON Schema bounds are numeric: drop them (and any format) from decimal strings."""
    if prop.get("pattern") in (DECIMAL_PATTERN, NON_NEGATIVE_PATTERN):
        for key in ("minimum", "maximum", "x-minimum", "x-maximum", "format"):
            prop.pop(key, None)


def definitions(schema_cls: type[Schema]) -> tuple[str, dict]:
    """The ``$defs`` describing a marshmallow schema class and every schema nested in it,
    and the name of the class's own entry.  Unknown fields are allowed (consumers are
    tolerant), so ``additionalProperties`` is dropped."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title="carrier contract", version="1", openapi_version="3.1.0", plugins=[plugin])
    plugin.converter.add_attribute_function(_decimal_as_string)
    name = schema_cls.__name__
    spec.components.schema(name, schema=schema_cls)
    defs = spec.to_dict()["components"]["schemas"]
    text = json.dumps(defs).replace("#/components/schemas/", "#/$defs/")
    defs = json.loads(text)
    for d in defs.values():
        d.pop("additionalProperties", None)  # additive changes within a major are allowed
        for prop in d.get("properties", {}).values():
            _decimal_bounds(prop)
    return name, defs


def data_schema(event_type: str, version: int = 1) -> dict:
    """JSON Schema of the ``data`` of any registered event (public or internal): the
    contract's own definition at the root, with its ``$defs`` beside it."""
    name, defs = definitions(contract(event_type, version).schema)
    return {**defs[name], "$defs": defs}


def schema_for(event_type: str, version: int = 1) -> dict:
    c = contract(event_type, version)
    name, defs = definitions(c.schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": dataschema_for(event_type, version),
        "title": f"{event_type} v{version}",
        "description": c.description + " Sent as a CloudEvents 1.0 JSON envelope.",
        "type": "object",
        "required": ["id", "source", "type", "specversion", "time", "dataschema", "data"],
        "properties": {
            "id": {"type": "string", "minLength": 1, "maxLength": 200, "description": "Unique message id; also the AMQP message_id."},
            "source": {"type": "string", "minLength": 1},
            "type": {"const": event_type, "pattern": TYPE_PATTERN},
            "specversion": {"const": SPEC_VERSION},
            "time": {"type": "string", "format": "date-time"},
            "subject": {"type": ["string", "null"]},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {"const": dataschema_for(event_type, version)},
            "correlationid": {"type": ["string", "null"]},
            "causationid": {"type": ["string", "null"]},
            "data": {"$ref": f"#/$defs/{name}"},
        },
        "$defs": defs,
    }


def path_for(event_type: str, version: int = 1) -> Path:
    return OUT_DIR / f"{event_type}.v{version}.schema.json"


def render(event_type: str, version: int = 1) -> str:
    return json.dumps(schema_for(event_type, version), indent=2, sort_keys=True) + "\n"


def main() -> int:
    OUT_DIR.mkdir(exist_ok=True)
    for event_type in PUBLIC:
        path_for(event_type).write_text(render(event_type))
        print(f"wrote {path_for(event_type)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
