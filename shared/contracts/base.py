"""Base schema for everything that crosses a service boundary.

Producers validate strictly (unknown fields raise).  Consumers load inside
:func:`tolerant`, where unknown fields are dropped at every nesting level, so a producer
may add fields within a major version without breaking anyone.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from marshmallow import RAISE, Schema, fields, pre_load

_tolerant = contextvars.ContextVar("contracts_tolerant", default=False)


@contextmanager
def tolerant():
    token = _tolerant.set(True)
    try:
        yield
    finally:
        _tolerant.reset(token)


class ContractSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    def dump(self, obj, *, many: bool | None = None):
        """marshmallow's dump, through a compiled dump plan when the schema allows
        (:mod:`shared.contracts.dumping`; identical output, several times faster)."""
        from shared.contracts import dumping

        plan = dumping.plan_for(self)
        if plan is None:
            return super().dump(obj, many=many)
        many = self.many if many is None else bool(many)
        result = [plan(each) for each in obj] if many and obj is not None else plan(obj)
        if dumping.verify_enabled():
            expected = super().dump(obj, many=many)
            if result != expected or _shape(result) != _shape(expected):
                raise AssertionError(f"fast dump of {type(self).__name__} differs from marshmallow's:\n"
                                     f"{result!r}\n{expected!r}")
        return result

    @pre_load
    def _drop_unknown_when_tolerant(self, data, **_kwargs):
        if _tolerant.get() and isinstance(data, dict):
            known = {f.data_key or name for name, f in self.load_fields.items()}
            return {k: v for k, v in data.items() if k in known}
        return data


def json_form_agnostic(method):
    """Mark a ``@validates_schema`` method as giving the same verdict on the JSON form of
    its data as on the loaded data (it only tests presence, truthiness, equality of
    strings, or orders ISO dates, which compare as text exactly as dates do).  The
    canonical JSON-form check (``shared.contracts.fast``) then calls it on the message
    itself; a schema with an unmarked validator has no canonical check.  The fast contract tests hold every marked
    validator to marshmallow's verdict on mutated messages."""
    method.__json_form_agnostic__ = True
    return method


class DecimalString(fields.Decimal):
    """A decimal carried as a JSON string ("1234.50") or integer; floats are refused,
    because a float has already lost the cents."""

    default_error_messages = {
        "float": "Give decimals as strings (\"1234.50\"), not JSON floats.",
        "invalid": "Not a valid decimal number.",
    }

    def __init__(self, places: int | None = None, **kwargs):
        kwargs.setdefault("as_string", True)
        super().__init__(places=places, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float):
            raise self.make_error("float")
        if isinstance(value, bool):
            raise self.make_error("invalid")
        try:
            parsed = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise self.make_error("invalid") from None
        if not parsed.is_finite():
            raise self.make_error("invalid")
        return super()._deserialize(str(parsed), attr, data, **kwargs)


def _shape(value):
    """Types and key order, which ``==`` ignores (1 == 1.0 == True; dict order)."""
    if isinstance(value, dict):
        return ("dict", [(k, _shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_shape(v) for v in value])
    return type(value).__name__
