"""The platform's JSON codec on hot paths: orjson (C), with the standard library's
semantics where they differ in ways that matter to us.

* :func:`dumps` gives compact JSON text; keys that are not strings are written as strings
  (as ``json.dumps`` does); Decimals are refused (money is put in its JSON form, a
  string, before it gets here), like ``json.dumps``.
* :func:`loads` reads UTF-8 bytes or text; what orjson refuses but the standard library
  accepts (integers beyond 64 bits, say) is read by the standard library, so a message is
  refused as malformed exactly when ``json.loads`` refuses it.
"""
from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any, default=None) -> str:
    return orjson.dumps(value, default=default, option=_OPTIONS).decode()


def loads(text: bytes | str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


DecodeError = ValueError  # what loads raises for text that is not JSON (json.JSONDecodeError is one)
