"""Typed results as JSON and arrays: the one way an analysis result is written down and read back.

A result is a dataclass (usually frozen) whose fields are typed: numbers, strings, lists, dicts, other
dataclasses, NumPy arrays. :func:`encode` turns one into a JSON-able value with every array set aside
(``{"$array": "a3"}`` in the JSON, the array itself in a dict of arrays); :func:`decode` rebuilds the same
object from the two, guided by the type hints of the dataclass, so nested results come back as themselves
(a ``ContrastResult`` with its ``TermScore``\\ s, not a dict). Nothing here pickles or evaluates anything:
the JSON is parsed, the arrays are read with ``allow_pickle=False``.

:class:`Result` gives a dataclass ``to_dict`` / ``from_dict`` on this basis; :func:`pack` and :func:`unpack`
turn a result into one JSON text plus ``.npy`` bytes with their SHA-256 checksums (as model files are kept)
and back, verifying every checksum.

Examples
--------
>>> from dataclasses import dataclass
>>> import numpy as np
>>> @dataclass(frozen=True)
... class Shares(Result):
...     labels: tuple[str, ...]
...     theta: np.ndarray
>>> text, arrays = pack(Shares(("a", "b"), np.eye(2)))
>>> unpack(Shares, text, arrays).labels
('a', 'b')
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import math
import types
import typing
from collections import abc
from functools import lru_cache
from typing import Any, Mapping, TypeVar, Union

import numpy as np

from nlp.errors import NlpError

__all__ = ["Result", "ResultFormatError", "encode", "decode", "pack", "unpack", "optional_key", "FORMAT"]

#: Written into every packed result; a result packed in another format is not read.
FORMAT = "softleft-result-1"

R = TypeVar("R")

#: Field metadata: the field's key is left out of the JSON when its value is None (see :func:`optional_key`).
OMIT_NONE = "softleft.omit_none"


def optional_key(**kwargs: Any) -> Any:
    """A field whose key is there only when it has a value: None (the default) leaves the key out of
    :func:`encode`'s JSON, and a missing key reads back as None.

    For results whose JSON document has keys only in some cases (``macro_f1_lo`` only with an interval):
    their ``to_dict()`` keeps the document's keys, in the order of the fields.
    """
    return dataclasses.field(default=None, metadata={OMIT_NONE: True}, **kwargs)


class ResultFormatError(NlpError):
    """A stored result that cannot be read back: another format, a checksum that does not match, a field of
    the wrong type. The caller computes it again."""


class Result:
    """Mixin for result dataclasses: ``to_dict()`` (JSON-able, arrays as lists) and ``from_dict()``.

    ``to_dict`` is for people and scripts (``--json``); the store keeps results with :func:`pack`, which
    writes arrays as ``.npy`` instead of lists.
    """

    def to_dict(self) -> dict[str, Any]:
        value, arrays = encode(self)
        return _inline(value, arrays)

    @classmethod
    def from_dict(cls: type[R], data: Mapping[str, Any]) -> R:
        return decode(cls, data, {})


# ------------------------------------------------------------------------------------------- encoding
def encode(value: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """``(json_value, arrays)``: ``value`` with every NumPy array replaced by ``{"$array": name}``."""
    arrays: dict[str, np.ndarray] = {}
    return _encode(value, arrays), arrays


def _encode(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return [_encode(v, arrays) for v in value.tolist()]
        name = f"a{len(arrays)}"
        arrays[name] = value
        return {"$array": name}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name), arrays) for f in dataclasses.fields(value)
                if not (f.metadata.get(OMIT_NONE) and getattr(value, f.name) is None)}
    if isinstance(value, Mapping):
        if any(not isinstance(k, (str, int, float, bool)) and k is not None for k in value):
            # keys JSON cannot hold (tuples): kept as a list of pairs
            return {"$pairs": [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]}
        return {str(k): _encode(v, arrays) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [_encode(v, arrays) for v in items]
    if hasattr(value, "__fspath__"):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be written as a result (give it a typed dataclass)")


def _inline(value: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    """``value`` with its array placeholders replaced by nested lists (for ``to_dict``)."""
    if isinstance(value, dict):
        if set(value) == {"$array"}:
            return arrays[value["$array"]].tolist()
        return {k: _inline(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_inline(v, arrays) for v in value]
    return value


# ------------------------------------------------------------------------------------------- decoding
def decode(hint: Any, value: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    """The object of type ``hint`` that :func:`encode` wrote as ``value`` (and ``arrays``).

    Raises
    ------
    ResultFormatError
        ``value`` does not fit ``hint`` (a missing field, an array that is not there...).
    """
    try:
        return _decode(hint, value, arrays)
    except ResultFormatError:
        raise
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise ResultFormatError(f"a stored {getattr(hint, '__name__', hint)} does not fit its type: {exc}") from None


def _decode(hint: Any, value: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    if isinstance(value, dict) and set(value) == {"$array"}:
        array = arrays[value["$array"]]
        return array if hint is not list else array.tolist()
    if hint is Any or hint is object or hint is None or isinstance(hint, TypeVar):
        return _plain(value, arrays)
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        last: Exception | None = None
        for option in options:
            if option is type(None):
                continue
            try:
                return _decode(option, value, arrays)
            except (TypeError, KeyError, ValueError, AttributeError, ResultFormatError) as exc:
                last = exc
        raise TypeError(f"{value!r:.60} fits none of {hint}: {last}")
    if origin is typing.Literal:
        return value
    if hint is np.ndarray or origin is np.ndarray:
        return np.asarray(value)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise TypeError(f"{hint.__name__} needs an object, not {type(value).__name__}")
        hints = _hints(hint)
        kwargs = {f.name: _decode(hints.get(f.name, Any), value[f.name], arrays)
                  for f in dataclasses.fields(hint) if f.init and f.name in value}
        missing = [f.name for f in dataclasses.fields(hint) if f.init and f.name not in value
                   and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        if missing:
            raise KeyError(f"{hint.__name__} lacks {', '.join(missing)}")
        return hint(**kwargs)
    if origin in (list, set, frozenset, abc.Sequence, abc.Iterable) or hint in (list, set, frozenset):
        (item,) = typing.get_args(hint) or (Any,)
        items = [_decode(item, v, arrays) for v in value]
        kind = origin or hint
        return set(items) if kind is set else frozenset(items) if kind is frozenset else items
    if origin is tuple or hint is tuple:
        args = typing.get_args(hint)
        if not args:
            return tuple(_plain(v, arrays) for v in value)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v, arrays) for v in value)
        return tuple(_decode(a, v, arrays) for a, v in zip(args, value))
    if origin in (dict, abc.Mapping) or hint is dict:
        key_hint, value_hint = typing.get_args(hint) or (Any, Any)
        if isinstance(value, dict) and set(value) == {"$pairs"}:
            return {_decode(key_hint, k, arrays): _decode(value_hint, v, arrays) for k, v in value["$pairs"]}
        return {_key(key_hint, k): _decode(value_hint, v, arrays) for k, v in value.items()}
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # a plain value is kept as it was written (a type hint does not change it)


def _key(hint: Any, key: str) -> Any:
    """A dict key back from JSON's strings."""
    if hint is int:
        return int(key)
    if hint is float:
        return float(key)
    return key


def _plain(value: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    """An untyped value: plain JSON, with arrays put back (as arrays) and pairs as a dict."""
    if isinstance(value, dict):
        if set(value) == {"$array"}:
            return arrays[value["$array"]]
        if set(value) == {"$pairs"}:
            return {_hashable(_plain(k, arrays)): _plain(v, arrays) for k, v in value["$pairs"]}
        return {k: _plain(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, arrays) for v in value]
    return value


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


# ------------------------------------------------------------------------------------------- packing
def pack(result: Any) -> tuple[str, dict[str, bytes]]:
    """One result as ``(json_text, {name.npy: bytes})``; the JSON records the format, the result's type and
    the SHA-256 of its value and of every array file."""
    value, arrays = encode(result)
    files = {f"{name}.npy": _npy(array) for name, array in arrays.items()}
    record = {"format": FORMAT, "type": f"{type(result).__module__}.{type(result).__qualname__}",
              "checksums": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
              "value_sha256": _value_digest(value), "value": value}
    return json.dumps(record, ensure_ascii=False, allow_nan=True, separators=(",", ":")), files


def _value_digest(value: Any) -> str:
    """The SHA-256 of a value's JSON (floats round-trip exactly through JSON, so a value read back gives the
    digest it was written with)."""
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, allow_nan=True, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def unpack(cls: type[R], text: str, files: Mapping[str, bytes]) -> R:
    """The result :func:`pack` wrote, as an instance of ``cls``.

    Raises
    ------
    ResultFormatError
        Another format or type, an array file missing or not matching its checksum, an array that needs
        pickle, or a value that does not fit ``cls``.
    """
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise ResultFormatError(f"a stored result is not JSON ({exc})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ResultFormatError(f"a stored result is not in the format {FORMAT}")
    expected = f"{cls.__module__}.{cls.__qualname__}"
    if record.get("type") != expected:
        raise ResultFormatError(f"a stored result is a {record.get('type')}, not a {expected}")
    if record.get("value_sha256") != _value_digest(record.get("value")):
        raise ResultFormatError("a stored result does not match its checksum")
    checksums = record.get("checksums") or {}
    if set(checksums) != set(files):
        raise ResultFormatError("a stored result's array files do not match its record")
    arrays = {}
    for name, data in files.items():
        if hashlib.sha256(data).hexdigest() != checksums[name]:
            raise ResultFormatError(f"a stored result's {name} does not match its checksum")
        try:
            arrays[name[:-len(".npy")]] = np.load(io.BytesIO(data), allow_pickle=False)
        except ValueError as exc:
            raise ResultFormatError(f"a stored result's {name} cannot be read ({exc})") from None
    return decode(cls, record["value"], arrays)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def finite_or_none(x: float | None) -> float | None:
    """A float for a report or JSON: None where it is not a finite number."""
    return None if x is None or not math.isfinite(x) else float(x)
