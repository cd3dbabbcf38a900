"""One marshmallow schema per event type and version, and the golden examples beside them.

Event modules register their schemas with :func:`event`; examples live in
``shared/contracts/examples/<type>.v<version>.json`` (a list of envelopes).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from marshmallow import Schema, ValidationError

from shared.contracts.base import tolerant

EXAMPLES_DIR = Path(__file__).parent / "examples"


@dataclass(frozen=True)
class EventContract:
    type: str
    version: int
    schema: type[Schema]
    description: str

    @cached_property
    def instance(self) -> Schema:
        # One instance per contract: building a schema deep-copies every nested field,
        # which cost more than the validation itself on the intake path.  Loading and
        # dumping keep no state on the instance (marshmallow 4 has no schema context).
        return self.schema()

    def load_strict(self, data: dict) -> dict:
        return self.instance.load(data)

    def load_tolerant(self, data: dict) -> dict:
        """What a consumer loads: unknown fields dropped at every level.  A compiled JSON
        Schema plus a load plan (``shared.contracts.fast``) accepts valid messages without
        marshmallow; anything it refuses is loaded by marshmallow, which gives the verdict
        and the error, so the result is always marshmallow's."""
        from shared.contracts import fast

        return fast.load_tolerant(self, data)

    def load_json_form(self, data: dict) -> dict:
        """The JSON form of :meth:`load_tolerant` (decimals as strings, dates in ISO 8601),
        without converting a message that is already in it (``shared.contracts.fast``)."""
        from shared.contracts import fast

        return fast.load_json_form(self, data)

    def load_tolerant_marshmallow(self, data: dict) -> dict:
        """The reference path (marshmallow only), for tests and comparison."""
        with tolerant():
            return self.instance.load(data)

    def dump(self, data: dict) -> dict:
        """Validate strictly and return the JSON-ready form (what producers publish): a
        compiled JSON Schema plus a strict load plan (``shared.contracts.fast``) when the
        data is valid, marshmallow's load and dump (and its error) otherwise; the result is
        always marshmallow's."""
        from shared.contracts import fast

        return fast.dump_strict(self, data)

    def dump_marshmallow(self, data: dict) -> dict:
        """The reference path (marshmallow only), for tests and comparison."""
        return self.instance.dump(self.load_strict(data))

    @property
    def example_path(self) -> Path:
        return EXAMPLES_DIR / f"{self.type}.v{self.version}.json"

    def examples(self) -> list[dict]:
        return json.loads(self.example_path.read_text())


REGISTRY: dict[tuple[str, int], EventContract] = {}


def event(event_type: str, version: int, description: str):
    def register(schema_cls: type[Schema]) -> type[Schema]:
        key = (event_type, version)
        if key in REGISTRY:
            raise RuntimeError(f"event {event_type} v{version} registered twice")
        REGISTRY[key] = EventContract(event_type, version, schema_cls, description)
        return schema_cls

    return register


class UnknownEvent(LookupError):
    pass


def contract(event_type: str, version: int) -> EventContract:
    _load_all()
    try:
        return REGISTRY[(event_type, version)]
    except KeyError:
        known = sorted(v for (t, v) in REGISTRY if t == event_type)
        if known:
            raise UnknownEvent(f"unknown version {version} of {event_type} (known: {known})") from None
        raise UnknownEvent(f"unknown event type {event_type}") from None


def all_contracts() -> list[EventContract]:
    _load_all()
    return sorted(REGISTRY.values(), key=lambda c: (c.type, c.version))


def _load_all() -> None:
    # Importing the event modules registers their schemas.
    from shared.contracts import carrier, carrier_binding, events  # noqa: F401


__all__ = ["EventContract", "REGISTRY", "UnknownEvent", "ValidationError", "all_contracts", "contract", "event"]
