"""Fast ``Schema.dump`` for the platform's schemas, equal to marshmallow's by construction.

Dumping an API response (a client with its policies and coverages, a page of renewals)
through marshmallow costs more than the database queries behind it: every value goes
through ``Field.serialize`` → ``get_value`` → ``_serialize`` with keyword plumbing.  Here
each schema instance gets, built once, a *dump plan*: per dump field its output key, how
to read it from the object (exactly :func:`marshmallow.utils.get_value` for a plain key),
its ``dump_default`` and a converter that is the field class's own ``_serialize``
specialised for its options (String, Email, URL, UUID, Integer, Decimal and DecimalString,
Boolean, Raw, Date, DateTime and AwareDateTime in ISO format, Dict without key/value
fields, List, Nested).

Anything else (dump hooks, a field class whose ``serialize``/``_serialize``/``get_value``
is overridden, Method/Function fields, dotted attributes, non-ISO date formats, typed
Dict keys or values, a schema class with its own ``get_attribute`` or ``dict_class``) makes
the schema dump through marshmallow (:func:`plan_for` returns ``None``).

``CONTRACTS_VERIFY_FAST_DUMP=1`` (the test suite sets it) dumps through both and raises
when they differ, so every API and handler test also proves the equivalence.
"""
from __future__ import annotations

import os
from decimal import Decimal
from typing import Any, Callable

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type

Converter = Callable[[Any], Any]
ISO_FORMATS = (None, "iso", "iso8601")
_UNSUPPORTED = object()


class Unsupported(Exception):
    pass


def verify_enabled() -> bool:
    return os.environ.get("CONTRACTS_VERIFY_FAST_DUMP", "") not in ("", "0", "false")


def plan_for(schema: Schema):
    """The cached dump plan of this schema instance, or None (marshmallow dumps it)."""
    plan = schema.__dict__.get("_fast_dump_plan", _UNSUPPORTED)
    if plan is _UNSUPPORTED:
        try:
            plan = _build(schema)
        except Unsupported:
            plan = None
        schema.__dict__["_fast_dump_plan"] = plan
    return plan


def _build(schema: Schema):
    cls = type(schema)
    if cls._hooks.get(PRE_DUMP) or cls._hooks.get(POST_DUMP):
        raise Unsupported("dump hooks")
    if cls.get_attribute is not Schema.get_attribute or schema.dict_class is not dict:
        raise Unsupported("own get_attribute or dict_class")
    steps = []
    for attr_name, field in schema.dump_fields.items():
        key = field.data_key if field.data_key is not None else attr_name
        source = field.attribute if field.attribute is not None else attr_name
        if "." in source:
            raise Unsupported(f"dotted attribute {source}")
        if type(field).serialize is not fields.Field.serialize or type(field).get_value is not fields.Field.get_value:
            raise Unsupported(f"{type(field).__name__} overrides serialize or get_value")
        if not field._CHECK_ATTRIBUTE:
            raise Unsupported(f"{type(field).__name__} does not read an attribute")
        steps.append((key, source, field.dump_default, _converter(field)))
    steps = tuple(steps)

    def dump_one(obj):
        ret = {}
        keyed = hasattr(obj, "__getitem__")
        for key, source, default, convert in steps:
            # marshmallow.utils._get_value_for_key, inlined.
            if keyed:
                try:
                    value = obj[source]
                except (KeyError, IndexError, TypeError, AttributeError):
                    value = getattr(obj, source, missing)
            else:
                value = getattr(obj, source, missing)
            if value is missing:
                value = default() if callable(default) else default
                if value is missing:
                    continue
            ret[key] = value if value is None or convert is None else convert(value)
        return ret

    return dump_one


def _converter(field: fields.Field) -> Converter | None:
    """The field's ``_serialize`` for a non-None value (every admitted field class returns
    None for None, except Raw/Boolean which pass values through); None: pass through."""
    kind = type(field)
    serialize = kind._serialize
    if serialize is fields.Field._serialize:
        # Raw, Boolean, and any field that keeps the base no-op: the value as it is.
        if kind in (fields.Raw, fields.Boolean) or issubclass(kind, fields.Boolean):
            return None
        raise Unsupported(f"{kind.__name__} is not a known field")
    if serialize is fields.String._serialize:
        return ensure_text_type
    if serialize is fields.UUID._serialize:
        return str
    if serialize is fields.Number._serialize:
        as_string = field.as_string
        if kind._format_num is fields.Integer._format_num:
            return (lambda v: str(int(v))) if as_string else int
        if kind._format_num is fields.Decimal._format_num and kind._to_string is fields.Decimal._to_string:
            places, rounding, allow_nan = field.places, field.rounding, field.allow_nan
            if allow_nan:
                raise Unsupported("Decimal allowing NaN")

            def decimal(value):
                num = Decimal(str(value))
                if places is not None and num.is_finite():
                    num = num.quantize(places, rounding=rounding)
                return format(num, "f") if as_string else num

            return decimal
        raise Unsupported(f"{kind.__name__} formats numbers its own way")
    if serialize is fields.DateTime._serialize:
        if field.format not in ISO_FORMATS or field.SERIALIZATION_FUNCS.get(field.format or field.DEFAULT_FORMAT) is None:
            raise Unsupported(f"{kind.__name__} format {field.format}")
        if isinstance(field, fields.NaiveDateTime) or isinstance(field, fields.Time):
            raise Unsupported(f"{kind.__name__} converts")
        return field.SERIALIZATION_FUNCS[field.format or field.DEFAULT_FORMAT]
    if serialize is fields.Dict._serialize or serialize is fields.Mapping._serialize:
        mapping_type = field.mapping_type
        if field.key_field is None and field.value_field is None:
            return mapping_type
        key_conv = _item_converter(field.key_field)
        value_conv = _item_converter(field.value_field)

        def mapping(value):
            result = mapping_type()
            for k, v in value.items():
                result[key_conv(k)] = value_conv(v)
            return result

        return mapping
    if serialize is fields.List._serialize:
        inner = _converter(field.inner)
        if inner is None:
            return list
        return lambda value: [None if each is None else inner(each) for each in value]
    if serialize is fields.Nested._serialize:
        schema = field.schema
        many = schema.many or field.many
        return lambda value: schema.dump(value, many=many)
    raise Unsupported(f"{kind.__name__} has its own _serialize")


def _item_converter(field: fields.Field | None) -> Converter:
    """A Dict key or value field's ``_serialize`` of any value (None included)."""
    if field is None:
        return lambda value: value
    convert = _converter(field)
    if convert is None:
        return lambda value: value
    return lambda value: None if value is None else convert(value)
