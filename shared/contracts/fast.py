"""Fast tolerant loading for consumers, equal to marshmallow's by construction.

Loading a carrier quote through marshmallow costs most of a consumer's time per message.
Here each contract gets, built once:

* a JSON Schema validator (jsonschema-rs, compiled Rust) built from the JSON Schema that
  :mod:`shared.contracts.jsonschema` generates from the marshmallow schemas (one source of
  truth), which checks types, required keys, enums, patterns and lengths;
* a *load plan* walked once from the marshmallow schema tree: per field its key, its
  load_default, a converter (decimal strings to quantized ``Decimal``, ISO dates to
  ``date``, aware datetimes, nested schemas, lists) and the field validators the JSON
  Schema cannot express (a decimal's ``Range``, a custom function), and per (nested)
  schema its ``@validates`` and ``@validates_schema`` methods, called on the converted
  dict the way marshmallow calls them.

The fast path only ever *accepts*.  When it refuses anything (the JSON Schema, a
converter, a validator) the message is loaded again through marshmallow, which gives the
verdict and words the error (the consumer turns that ``ValidationError`` into a
``schema_violation`` dead letter with marshmallow's field paths, exactly as before).  So a
message is refused exactly when marshmallow refuses it; an accepted message yields what
marshmallow would have returned, which ``shared/tests/test_fast_contracts.py`` checks on
every golden example and on random mutations of them.

While building the plan every field is audited against its generated JSON Schema
property: a converter that relies on the JSON Schema (a string, an integer, a decimal
pattern) is used only when the property really says so; otherwise the field's own
marshmallow ``_deserialize`` is called.  Schemas with hooks the plan cannot reproduce
(``post_load``, a ``pre_load`` other than the tolerant drop, ``many`` nesting, field-level
pre/post_load) raise :class:`Unsupported`; that contract then loads through marshmallow
only (``fast_loader`` returns ``None`` and logs why).  None of the registered contracts
needs that today.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal
from typing import Any, Callable

import jsonschema_rs
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, missing, validate
from marshmallow.decorators import POST_DUMP, POST_LOAD, PRE_DUMP, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import is_aware

from shared.contracts.base import ContractSchema, DecimalString, tolerant
from shared.contracts.jsonschema import DECIMAL_PATTERN, NON_NEGATIVE_PATTERN, definitions

log = logging.getLogger(__name__)

Loader = Callable[[Any], Any]
ISO_FORMATS = (None, "iso", "iso8601")
MAX_DEPTH = 32
# What the fast path raises when it refuses: marshmallow then gives the verdict.
REFUSALS = (ValidationError, ValueError, TypeError, ArithmeticError)


class Unsupported(Exception):
    """The load plan cannot reproduce this schema; its contract loads through marshmallow."""


class Refused(ValueError):
    """The fast path does not accept this message (marshmallow will say why)."""


# ---------------------------------------------------------------- the consumer entry point


def load_tolerant(event_contract, data: Any) -> dict:
    """What ``EventContract.load_tolerant`` returns, fast when the message is valid."""
    return _fast_or(fast_loader(event_contract), lambda d: _tolerant_load(event_contract.instance, d), data)


def _fast_or(fast: Loader | None, marshmallow: Loader, data: Any):
    """``fast(data)``; when there is no fast path or it refuses, ``marshmallow(data)``,
    which gives the verdict (and its error messages)."""
    if fast is not None:
        try:
            return fast(data)
        except REFUSALS:
            pass
    return marshmallow(data)


def _tolerant_load(schema: Schema, data: Any) -> dict:
    with tolerant():
        return schema.load(data)


def _strict_dump(schema: Schema, data: Any) -> dict:
    return schema.dump(schema.load(data))


def _try_build(build: Callable[[], Loader], what: str) -> Loader | None:
    """``build()``, or None (logged) when the plan cannot reproduce the schema."""
    try:
        return build()
    except (Unsupported, ValueError) as exc:
        log.warning("%s through marshmallow only: %s", what, exc)
        return None


def _cached(cache: dict, event_contract, build: Callable[[Schema], Loader], verb: str) -> Loader | None:
    key = (event_contract.type, event_contract.version)
    if key not in cache:
        cache[key] = _try_build(lambda: build(event_contract.instance),
                                f"contract {key[0]} v{key[1]} {verb}")
    return cache[key]


_LOADERS: dict[tuple[str, int], Loader | None] = {}


def fast_loader(event_contract) -> Loader | None:
    """The compiled validator + load plan of a contract (built once), or ``None`` when the
    contract must load through marshmallow."""
    return _cached(_LOADERS, event_contract, build_loader, "loads")


def json_form_schema_loader(schema: Schema) -> Loader:
    """For any ContractSchema (the envelope, say): :func:`load_json_form` for it, that is
    the message itself when canonical, else the JSON form of its tolerant load."""
    canonical = _try_build(lambda: build_canonical_checker(schema), f"{type(schema).__name__} JSON-form checks")
    tolerant_load = tolerant_schema_loader(schema)

    return lambda data: _as_is_or(canonical, lambda d: json_form(tolerant_load(d)), data)


def tolerant_schema_loader(schema: Schema) -> Loader:
    """A consumer's loader for any ContractSchema (the envelope, say): the fast path,
    marshmallow's tolerant load when it refuses (marshmallow gives the verdict)."""
    fast = _try_build(lambda: build_loader(schema), f"{type(schema).__name__} loads")
    return lambda data: _fast_or(fast, lambda d: _tolerant_load(schema, d), data)


# ---------------------------------------------------------------- the producer entry point


def dump_strict(event_contract, data: Any) -> dict:
    """What ``EventContract.dump`` returns (marshmallow's strict load, then its dump),
    without marshmallow when the data is valid: data already in its canonical JSON form
    (see :func:`load_json_form`; it has no unknown field, so the strict load takes it
    too) is its own dump, as the dump of this contract is the JSON form of what it loads;
    other data is put in JSON form, loaded through the strict plan and put back in JSON
    form.  Refusals go through marshmallow, which raises its ``ValidationError``."""
    dumper = fast_dumper(event_contract)
    canonical = canonical_checker(event_contract) if dumper is not None else None
    return _as_is_or(canonical, lambda d: _fast_or(dumper, lambda e: _strict_dump(event_contract.instance, e), d),
                     data)


_DUMPERS: dict[tuple[str, int], Loader | None] = {}


def fast_dumper(event_contract) -> Loader | None:
    return _cached(_DUMPERS, event_contract, _build_dumper, "dumps")


def _build_dumper(schema: Schema) -> Loader:
    _check_natural_dump(schema, depth=0)
    strict = build_loader(schema, strict=True)
    return lambda data: json_form(strict(json_form(data)))


def strict_dumper(schema: Schema) -> Callable[[Any], dict]:
    """For any ContractSchema (an API response, say): what marshmallow's strict load then
    dump returns, fast when the data is valid; marshmallow (and its ValidationError)
    otherwise."""
    fast = _try_build(lambda: _build_dumper(schema), f"{type(schema).__name__} dumps")
    return lambda data: _fast_or(fast, lambda d: _strict_dump(schema, d), data)


def json_form(value: Any) -> Any:
    """Decimals as fixed-point strings, dates and times in ISO 8601, lists for tuples: what
    marshmallow's dump gives for the field types :func:`_check_natural_dump` admits."""
    kind = type(value)
    if kind is dict:
        return {key: json_form(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [json_form(item) for item in value]
    if kind is Decimal:
        return format(value, "f")
    if kind is dt.datetime or kind is dt.date:
        return value.isoformat()
    return value


# What each admitted field type's marshmallow dump does to its loaded value is json_form's.
_NATURAL_DUMP = (fields.String, fields.Email, fields.URL, fields.Integer, fields.Boolean, fields.Date,
                 fields.AwareDateTime, DecimalString, fields.Dict, fields.Nested, fields.List)


def _check_natural_dump(schema: Schema, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise Unsupported(f"{type(schema).__name__} nests deeper than {MAX_DEPTH}")
    hooks = type(schema)._hooks
    if any(hooks.get(tag) for tag in (PRE_DUMP, POST_DUMP)):
        raise Unsupported(f"{type(schema).__name__} has dump hooks")
    if set(schema.load_fields) != set(schema.dump_fields):
        raise Unsupported(f"{type(schema).__name__} has load-only or dump-only fields")
    for attr, field in schema.dump_fields.items():
        _check_natural_field(field, f"{type(schema).__name__}.{attr}", attr, depth)


def _check_natural_field(field: fields.Field, where: str, attr: str | None, depth: int) -> None:
    if type(field) not in _NATURAL_DUMP:
        raise Unsupported(f"{where} is a {type(field).__name__}")
    if attr is not None and ((field.data_key or attr) != attr or (field.attribute or attr) != attr):
        raise Unsupported(f"{where} is renamed")
    if field.dump_default is not missing:
        raise Unsupported(f"{where} has a dump_default")
    if isinstance(field, (fields.Date, fields.AwareDateTime)) and field.format not in ISO_FORMATS:
        raise Unsupported(f"{where} has format {field.format}")
    if isinstance(field, DecimalString) and not field.as_string:
        raise Unsupported(f"{where} dumps as a number")
    if isinstance(field, fields.Dict):
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                _check_natural_field(inner, f"{where}{{}}", None, depth)
    if isinstance(field, fields.Nested):
        if field.only or field.exclude:
            raise Unsupported(f"{where} limits its nested fields")
        _check_natural_dump(field.schema, depth + 1)
    if isinstance(field, fields.List):
        _check_natural_field(field.inner, f"{where}[]", None, depth)


def build_loader(schema: Schema, *, strict: bool = False) -> Loader:
    """Validator + load plan of ``schema``: tolerant (unknown fields dropped at every
    level, as consumers load) or, with ``strict``, refusing unknown fields where the
    schema does (as producers validate)."""
    name, defs = definitions(type(schema))
    root = {**defs[name], "$defs": defs}
    plan = _schema_loader(schema, defs[name], defs, depth=0, strict=strict)
    _allow_null_where_marshmallow_does(schema, defs[name], defs, depth=0)
    validator = jsonschema_rs.Draft202012Validator(root, validate_formats=False)
    is_valid = validator.is_valid

    def check(data: Any) -> None:
        try:
            valid = is_valid(data)
        except Exception as exc:  # noqa: BLE001 - a value it cannot read: marshmallow decides
            raise Refused(f"not JSON: {exc}") from None
        if not valid:
            raise Refused("refused by the JSON Schema")

    def load(data: Any) -> dict:
        check(data)
        return plan(data)

    return load


# ---------------------------------------------------------------- the JSON-form entry point


def load_json_form(event_contract, data: Any) -> dict:
    """What ``json_form(event_contract.load_tolerant(data))`` returns, for handlers that
    work on the JSON form (decimals as strings, dates ISO) anyway.

    A message already in that form (every field present, no unknown field, decimals with
    exactly their places, canonical dates) is checked by one compiled validator plus the
    few checks JSON Schema cannot say, and returned as it is: nothing is converted to
    Python types and back.  Anything else takes the tolerant load, then :func:`json_form`,
    so the result is always that of marshmallow."""
    return _as_is_or(canonical_checker(event_contract), lambda d: json_form(load_tolerant(event_contract, d)), data)


def _as_is_or(canonical: Loader | None, otherwise: Loader, data: Any):
    """``data`` itself when the ``canonical`` check passes it, else ``otherwise(data)``."""
    if canonical is not None:
        try:
            canonical(data)
            return data
        except REFUSALS:
            pass
    return otherwise(data)


_CANONICAL: dict[tuple[str, int], Loader | None] = {}


def canonical_checker(event_contract) -> Loader | None:
    """A check that raises unless ``data`` is its own JSON form (see
    :func:`load_json_form`), or ``None`` when the contract has no such check."""
    return _cached(_CANONICAL, event_contract, build_canonical_checker, "JSON-form checks")


# The digits a quantize may hold in the default decimal context (28): beyond them
# marshmallow refuses, so the canonical pattern never admits them.
_PRECISION = 28


def build_canonical_checker(schema: Schema) -> Loader:
    """The compiled validator of the *canonical* JSON form of ``schema`` (its generated
    JSON Schema made strict: no unknown field, every field present, decimals and dates in
    the exact text marshmallow's load-then-dump gives) and the residual checks JSON Schema
    cannot express (integers that are really ints, real calendar dates, bounds of
    decimals, ``@validates_schema`` methods marked :func:`json_form_agnostic`)."""
    name, defs = definitions(type(schema))
    _allow_null_where_marshmallow_does(schema, defs[name], defs, depth=0)
    residual = _canonical_level(schema, defs[name], defs, depth=0, done={})
    validator = jsonschema_rs.Draft202012Validator({**defs[name], "$defs": defs}, validate_formats=False)
    is_valid = validator.is_valid

    def check(data: Any) -> None:
        try:
            valid = is_valid(data)
        except Exception as exc:  # noqa: BLE001 - a value it cannot read
            raise Refused(f"not JSON: {exc}") from None
        if not valid:
            raise Refused("not in canonical JSON form")
        if residual is not None:
            residual(data)

    return check


def _canonical_level(schema: Schema, definition: dict, defs: dict, depth: int, done: dict) -> Loader | None:
    """Make ``definition`` (this schema's ``$defs`` entry, shared by every use of the
    schema) canonical; return the residual check of one object of it, or None.  ``done``
    holds the definitions already made canonical (a nested schema used twice) and their
    residual checks."""
    if id(definition) in done:
        return done[id(definition)]
    if depth > MAX_DEPTH:
        raise Unsupported(f"{type(schema).__name__} nests deeper than {MAX_DEPTH}")
    _check_hooks(schema)
    properties = definition.get("properties", {})
    # @validates methods, called with the field's loaded value as marshmallow calls them.
    field_methods: dict[str, list] = {}
    for method, out, data_key in _field_validator_methods(schema):
        field_methods.setdefault(out, []).append((method, data_key))
    steps = []
    for attr, field in schema.load_fields.items():
        if (field.data_key or attr) != attr or (field.attribute or attr) != attr:
            raise Unsupported(f"{type(schema).__name__}.{attr} is renamed")
        if attr not in properties:
            raise Unsupported(f"{type(schema).__name__}.{attr} has no JSON Schema property")
        check = _canonical_field(field, properties[attr], defs, depth, done, field_methods.get(attr, ()))
        if check is not None:
            steps.append((attr, check))
    definition["required"] = list(properties)
    definition["additionalProperties"] = False
    validators = []
    for method, pass_original, kwargs in _schema_validator_methods(schema):
        if not getattr(method.__func__, "__json_form_agnostic__", False):
            raise Unsupported(f"{type(schema).__name__}.{method.__name__} is not marked json_form_agnostic")
        validators.append((method, pass_original, kwargs))
    if not steps and not validators:
        done[id(definition)] = None
        return None
    steps, validators = tuple(steps), tuple(validators)

    def check(raw: dict) -> None:
        for key, step in steps:
            value = raw[key]
            if value is not None:  # an allowed null (the validator refused the others)
                step(value)
        for method, pass_original, kwargs in validators:
            if pass_original:
                method(raw, raw, **kwargs)
            else:
                method(raw, **kwargs)

    done[id(definition)] = check
    return check


def _canonical_field(field: fields.Field, prop: dict, defs: dict, depth: int, done: dict,
                     methods=()) -> Loader | None:
    """Make one property canonical; return the residual check of a present, non-null
    value, or None.  ``methods``: the schema's ``@validates`` methods of this field."""
    if getattr(field, "pre_load", None) or getattr(field, "post_load", None):
        raise Unsupported(f"field {field.name} has field-level pre/post_load functions")
    types = _types(prop, defs)
    unexpressed = [v for v in field.validators if not _expressed(v, field, prop)]
    unexpressed += [_validates_method(method, data_key) for method, data_key in methods]
    as_checked = None  # how the unexpressed validators see the value (as loaded)
    own = None
    if isinstance(field, fields.Nested):
        if field.many or field.only or field.exclude or field.unknown is not None:
            raise Unsupported(f"field {field.name} nests with options")
        target = _target(prop, defs)
        if target is None:
            raise Unsupported(f"field {field.name} is nested but its JSON Schema has no $ref")
        own = _canonical_level(field.schema, target, defs, depth + 1, done)
    elif isinstance(field, fields.List):
        items = prop.get("items")
        if types != {"array"} or not isinstance(items, dict):
            raise Unsupported(f"field {field.name} is a list but its JSON Schema is not an array")
        inner = _canonical_field(field.inner, items, defs, depth, done)
        if inner is not None:
            def own(value, inner=inner):
                for item in value:
                    if item is not None:
                        inner(item)
    elif isinstance(field, DecimalString):
        places = field.places
        if places is None or field.allow_nan or types != {"string"} \
                or prop.get("pattern") not in (DECIMAL_PATTERN, NON_NEGATIVE_PATTERN):
            raise Unsupported(f"field {field.name} is a decimal without fixed places")
        exponent = -places.as_tuple().exponent
        sign = "" if prop["pattern"] == NON_NEGATIVE_PATTERN else "-?"
        whole = _PRECISION - exponent - 1
        fraction = rf"\.[0-9]{{{exponent}}}" if exponent else ""
        # [0-9], not \d: the validator's \d also matches other scripts' digits, which
        # Decimal reads (and json_form would write back as ASCII).
        prop["pattern"] = rf"^{sign}(0|[1-9][0-9]{{0,{whole}}}){fraction}$"
        as_checked = Decimal
    elif type(field) is fields.Date and field.format in ISO_FORMATS:
        prop["pattern"] = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
        own = _real_date
        as_checked = dt.date.fromisoformat
    elif type(field) is fields.AwareDateTime and field.format in ISO_FORMATS:
        own = _canonical_moment
        as_checked = dt.datetime.fromisoformat
    elif type(field) is fields.Dict and field.key_field is None and field.value_field is None \
            and types == {"object"}:
        pass  # loaded as dict(value): equal, and already JSON
    elif type(field) is fields.Integer and types == {"integer"}:
        own = _exact_int
    elif (type(field) is fields.String and types == {"string"}) \
            or (type(field) is fields.Boolean and types == {"boolean"}):
        pass
    else:
        raise Unsupported(f"field {field.name} is a {type(field).__name__}")
    if not unexpressed:
        return own
    validators = validate.And(*unexpressed)
    convert = as_checked or (lambda value: value)

    def check(value):
        if own is not None:
            own(value)
        validators(convert(value))

    return check


def _real_date(value: str) -> None:
    """A canonical date text that is a real calendar date (``fromisoformat`` refuses
    2027-02-30 and year 0)."""
    dt.date.fromisoformat(value)


def _canonical_moment(value: str) -> None:
    """An aware date and time written as ``isoformat`` writes it (marshmallow's dump);
    a naive one would take the field's default timezone, so it is not canonical."""
    moment = dt.datetime.fromisoformat(value)
    if not is_aware(moment) or moment.isoformat() != value:
        raise Refused("not a canonical aware datetime")


def _validates_method(method, data_key: str):
    """A ``@validates`` method as a field validator (it may not drop the field)."""
    def check(value):
        if method(value, data_key=data_key) is missing:
            raise Refused("a @validates method drops the field")
        return value

    return check


def _exact_int(value) -> None:
    """JSON Schema counts 2.0 as an integer; marshmallow would load it as 2, so it is not
    in canonical form."""
    if type(value) is not int:
        raise Refused("not an int")


# ---------------------------------------------------------------- schemas


def _schema_loader(schema: Schema, definition: dict, defs: dict, depth: int, strict: bool = False) -> Loader:
    if depth > MAX_DEPTH:
        raise Unsupported(f"{type(schema).__name__} nests deeper than {MAX_DEPTH}")
    refuse_unknown = _check_hooks(schema, strict)
    properties = definition.get("properties", {})
    plan = []
    for attr, field in schema.load_fields.items():
        key = field.data_key if field.data_key is not None else attr
        out = field.attribute or attr
        if "." in out:
            raise Unsupported(f"{type(schema).__name__}.{attr} loads into a dotted attribute")
        if key not in properties:
            raise Unsupported(f"{type(schema).__name__}.{attr} has no JSON Schema property")
        present = _present_value_loader(field, properties[key], defs, depth, strict)
        plan.append((key, out, field.required, field.load_default, field.allow_none, present))
    plan = tuple(plan)
    known = frozenset(step[0] for step in plan)
    field_checks = _field_validator_methods(schema)
    schema_checks = _schema_validator_methods(schema)

    def load(raw: Any) -> dict:
        if type(raw) is not dict:
            raise Refused("not an object")
        if refuse_unknown and not known.issuperset(raw):
            raise Refused("unknown fields")
        result = {}
        for key, out, required, default, allow_none, present in plan:
            value = raw.get(key, missing)
            if value is missing:
                if required:
                    raise Refused(key)
                if default is not missing:
                    result[out] = default() if callable(default) else default
            elif value is None:
                if not allow_none:
                    raise Refused(key)
                result[out] = None  # marshmallow runs no validator on an allowed null
            elif present is None:
                result[out] = value
            else:
                result[out] = present(value)
        for method, out, data_key in field_checks:
            if out in result and method(result[out], data_key=data_key) is missing:
                del result[out]
        for method, pass_original, kwargs in schema_checks:
            if pass_original:
                method(result, raw, **kwargs)
            else:
                method(result, **kwargs)
        return result

    return load


def _check_hooks(schema: Schema, strict: bool = False) -> bool:
    """Refuse what the plan cannot reproduce; return whether unknown fields are refused
    (a schema outside ContractSchema keeps its own ``unknown`` even when tolerant; a
    ContractSchema refuses them when loaded strictly)."""
    hooks = type(schema)._hooks
    tolerant_drop = False
    for attr, _many, _kwargs in hooks.get(PRE_LOAD, ()):
        if getattr(type(schema), attr, None) is not ContractSchema._drop_unknown_when_tolerant:
            raise Unsupported(f"{type(schema).__name__}.{attr} is a pre_load hook")
        tolerant_drop = True
    if hooks.get(POST_LOAD):
        raise Unsupported(f"{type(schema).__name__} has post_load hooks")
    if schema.many:
        raise Unsupported(f"{type(schema).__name__} loads many")
    if tolerant_drop and not strict:
        return False
    if schema.unknown == EXCLUDE:
        return False
    if schema.unknown == RAISE:
        return True
    raise Unsupported(f"{type(schema).__name__} includes unknown fields")


def _field_validator_methods(schema: Schema) -> tuple:
    """``@validates`` methods, bound, with the field they check (as marshmallow calls them)."""
    checks = []
    for attr, _many, kwargs in type(schema)._hooks.get(VALIDATES, ()):
        for field_name in kwargs["field_names"]:
            field = schema.fields.get(field_name)
            if field is None:
                if field_name in schema.declared_fields:
                    continue
                raise Unsupported(f'"{field_name}" field does not exist.')
            data_key = field.data_key if field.data_key is not None else field_name
            checks.append((getattr(schema, attr), field.attribute or field_name, data_key))
    return tuple(checks)


def _schema_validator_methods(schema: Schema) -> tuple:
    """``@validates_schema`` methods, bound, in marshmallow's order (pass_collection first)."""
    hooks = type(schema)._hooks.get(VALIDATES_SCHEMA, ())
    kwargs = {"partial": schema.partial, "many": False, "unknown": schema.unknown}
    ordered = [h for h in hooks if h[1]] + [h for h in hooks if not h[1]]
    return tuple((getattr(schema, attr), options.get("pass_original", False), kwargs)
                 for attr, _many, options in ordered)


# ---------------------------------------------------------------- fields


def _present_value_loader(field: fields.Field, prop: dict, defs: dict, depth: int,
                          strict: bool = False) -> Loader | None:
    """Load one present, non-null value of ``field``: convert, then run the validators the
    JSON Schema does not express.  ``None`` when the value loads as it is."""
    if getattr(field, "pre_load", None) or getattr(field, "post_load", None):
        raise Unsupported(f"field {field.name} has field-level pre/post_load functions")
    convert = _converter(field, prop, defs, depth, strict)
    unexpressed = [v for v in field.validators if not _expressed(v, field, prop)]
    if not unexpressed:
        return convert
    check = validate.And(*unexpressed)
    if convert is None:
        return check  # And returns the value it validated

    def load(value):
        value = convert(value)
        check(value)
        return value

    return load


def _item_loader(field: fields.Field, prop: dict, defs: dict, depth: int, strict: bool = False) -> Loader:
    """Load one list item, null included."""
    present = _present_value_loader(field, prop, defs, depth, strict)
    allow_none = field.allow_none

    def load(value):
        if value is None:
            if allow_none:
                return None
            raise Refused("null item")
        return value if present is None else present(value)

    return load


def _converter(field: fields.Field, prop: dict, defs: dict, depth: int, strict: bool = False) -> Loader | None:
    """``None`` means the JSON Schema already guarantees marshmallow's result is the value."""
    types = _types(prop, defs)
    if isinstance(field, fields.Nested):
        if field.many:
            raise Unsupported(f"field {field.name} nests many")
        target = _target(prop, defs)
        if target is None:
            raise Unsupported(f"field {field.name} is nested but its JSON Schema has no $ref")
        if field.unknown is not None:
            raise Unsupported(f"field {field.name} overrides unknown")
        return _schema_loader(field.schema, target, defs, depth + 1, strict)
    if isinstance(field, fields.List):
        items = prop.get("items")
        if types != {"array"} or not isinstance(items, dict):
            raise Unsupported(f"field {field.name} is a list but its JSON Schema is not an array")
        inner = _item_loader(field.inner, items, defs, depth, strict)
        return lambda value: [inner(each) for each in value]
    if isinstance(field, DecimalString):
        if types == {"string"} and prop.get("pattern") in (DECIMAL_PATTERN, NON_NEGATIVE_PATTERN) \
                and not field.allow_nan:
            return _decimal_converter(field)
        return _marshmallow_converter(field)
    if type(field) is fields.Date and field.format in ISO_FORMATS:
        return dt.date.fromisoformat
    if type(field) is fields.AwareDateTime and field.format in ISO_FORMATS:
        return _aware_converter(field)
    if type(field) is fields.String and types == {"string"}:
        return None
    if type(field) is fields.Integer and types == {"integer"} and not field.strict:
        return int  # JSON Schema's integer may be an integral float (8990.0); marshmallow int()s it
    if type(field) is fields.Boolean and types == {"boolean"}:
        return None
    if type(field) is fields.Dict and field.key_field is None and field.value_field is None \
            and types == {"object"}:
        return dict
    return _marshmallow_converter(field)


def _decimal_converter(field: DecimalString) -> Loader:
    places, rounding = field.places, field.rounding
    if places is None:
        return Decimal
    # The pattern admits only finite decimals; quantize raises InvalidOperation beyond the
    # context's precision, as marshmallow's does.
    return lambda value: Decimal(value).quantize(places, rounding=rounding)


def _aware_converter(field: fields.AwareDateTime) -> Loader:
    default_timezone = field.default_timezone

    def convert(value):
        moment = dt.datetime.fromisoformat(value)
        if not is_aware(moment):
            if default_timezone is None:
                raise Refused("naive datetime")
            moment = moment.replace(tzinfo=default_timezone)
        return moment

    return convert


def _marshmallow_converter(field: fields.Field) -> Loader:
    """Any other field: its own marshmallow conversion (exact, just without the wrapper)."""
    return lambda value: field._deserialize(value, field.name, None)


# ---------------------------------------------------------------- JSON Schema audit


def _resolve(prop: dict, defs: dict) -> dict:
    ref = prop.get("$ref")
    return defs[ref.rsplit("/", 1)[-1]] if ref else prop


def _target(prop: dict, defs: dict) -> dict | None:
    """The definition a (possibly nullable) nested property refers to."""
    if "$ref" in prop:
        return _resolve(prop, defs)
    refs = [p for p in prop.get("anyOf", ()) if "$ref" in p]
    return _resolve(refs[0], defs) if len(refs) == 1 else None


def _types(prop: dict, defs: dict) -> set:
    """The JSON types a property admits, apart from null."""
    if "anyOf" in prop:
        found = set()
        for option in prop["anyOf"]:
            found |= _types(option, defs)
        return found
    prop = _resolve(prop, defs)
    declared = prop.get("type")
    names = {declared} if isinstance(declared, str) else set(declared or ())
    return names - {"null"} if names else {"any"}


def _expressed(validator, field: fields.Field, prop: dict) -> bool:
    """Does the JSON Schema property already enforce this marshmallow validator?"""
    if isinstance(field, DecimalString):
        # JSON Schema bounds are numeric and decimals are strings, but a non-negative
        # pattern (no sign at all) is Range(min=0).
        return (isinstance(validator, validate.Range) and validator.min == 0 and validator.min_inclusive
                and validator.max is None and prop.get("pattern") == NON_NEGATIVE_PATTERN)
    if isinstance(validator, validate.Length):
        low, high = ("minItems", "maxItems") if isinstance(field, fields.List) else ("minLength", "maxLength")
        if validator.equal is not None:
            return prop.get(low) == validator.equal and prop.get(high) == validator.equal
        return (validator.min is None or prop.get(low) == validator.min) and \
            (validator.max is None or prop.get(high) == validator.max)
    if isinstance(validator, validate.OneOf):
        enum = prop.get("enum")
        return enum is not None and all(v is None or v in validator.choices for v in enum)
    if isinstance(validator, validate.Regexp):
        # The validator searches with `$` read as `\Z` (Rust regex): with a leading `^` and no flags
        # that is marshmallow's match, or stricter.
        regex = validator.regex
        return prop.get("pattern") == regex.pattern and regex.pattern.startswith("^") \
            and regex.flags == re.compile("").flags
    if isinstance(validator, validate.Range) and isinstance(field, fields.Integer):
        return (validator.min is None or (validator.min_inclusive and prop.get("minimum") == validator.min)) and \
            (validator.max is None or (validator.max_inclusive and prop.get("maximum") == validator.max))
    if isinstance(validator, validate.Equal):
        return "const" in prop and prop["const"] == validator.comparable
    return False


def _allow_null_where_marshmallow_does(schema: Schema, definition: dict, defs: dict, depth: int) -> None:
    """The generated schema describes a nullable decimal string as a plain string; null is
    valid for marshmallow there, so let the fast validator accept it too (on our own copy
    of the definitions; the published files are not touched)."""
    if depth > MAX_DEPTH:
        return
    properties = definition.get("properties", {})
    for attr, field in schema.load_fields.items():
        key = field.data_key if field.data_key is not None else attr
        prop = properties[key]
        if field.allow_none:
            _make_nullable(prop)
        if isinstance(field, fields.Nested):
            _allow_null_where_marshmallow_does(field.schema, _target(prop, defs), defs, depth + 1)
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            inner = field.inner
            if inner.allow_none:
                _make_nullable(prop["items"])
            _allow_null_where_marshmallow_does(inner.schema, _target(prop["items"], defs), defs, depth + 1)
        elif isinstance(field, fields.List) and field.inner.allow_none:
            _make_nullable(prop["items"])


def _make_nullable(prop: dict) -> None:
    if "anyOf" in prop:
        if {"type": "null"} not in prop["anyOf"]:
            prop["anyOf"].append({"type": "null"})
    elif "$ref" in prop:
        prop["anyOf"] = [{"$ref": prop.pop("$ref")}, {"type": "null"}]
    elif "type" in prop:
        declared = prop["type"]
        names = [declared] if isinstance(declared, str) else list(declared)
        if "null" not in names:
            prop["type"] = names + ["null"]
        if "enum" in prop and None not in prop["enum"]:
            prop["enum"] = list(prop["enum"]) + [None]
