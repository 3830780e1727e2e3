"""RFC 8785 (JSON Canonicalization Scheme) for the JSON values datanuri events are made of, fast.

`dumps(obj)` gives exactly the bytes `rfc8785.dumps(obj)` gives. Values made only of dicts with
string keys, lists, strings, booleans, None, integers in the I-JSON safe range and finite floats
are serialised here (the standard library's C encoder where there are no floats); anything else
(tuples, other mappings, huge integers, non-finite floats, non-string keys, keys outside the Basic
Multilingual Plane, lone surrogates) goes to the `rfc8785` package, which serialises or rejects it.

Why the standard library is exact here, for these values:
- strings: with `ensure_ascii=False` it escapes only `"`, `\\` and U+0000..U+001F, using
  `\\b \\t \\n \\f \\r` and lowercase `\\u00xx` otherwise, as ECMAScript's JSON.stringify does;
  the output is then UTF-8 encoded (lone surrogates fail to encode and fall back).
- key order: RFC 8785 sorts by UTF-16 code units; for keys within the BMP that is code point
  order, which is what `sort_keys` uses (keys with astral characters fall back).
- integers: plain decimal digits, as ECMAScript prints safe integers.
- floats are not left to the standard library (its `repr` differs from ECMAScript's
  Number::toString, e.g. `1e+16` vs `10000000000000000`): `_number` implements the latter from
  the shortest round-trip digits, which Python's `repr` produces (RFC 8785 section 3.2.2.3).
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import rfc8785

MAX_SAFE_INT = 2**53 - 1

_string = json.encoder.encode_basestring  # the C version when available
string = _string  # a str as its RFC 8785 JSON string literal (text, before UTF-8 encoding)
_c_encoder = getattr(json.encoder, "c_make_encoder", None)
if _c_encoder is not None:
    # The C encoder json.dumps uses, without its circular-reference bookkeeping (_kind has walked
    # the value already, so it is a finite tree).
    _chunks = _c_encoder(None, None, _string, None, ":", ",", True, False, False)

    def _encode(o: Any) -> str:
        return "".join(_chunks(o, 0))

else:  # pragma: no cover - CPython always has the accelerator
    _encode = json.JSONEncoder(
        ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
    ).encode

_PLAIN, _FLOATS, _OTHER = 0, 1, 2


def sha256(obj: Any) -> str:
    """Hex SHA-256 of the canonical JSON of `obj`: how the ledger and records fingerprint a value."""
    return hashlib.sha256(dumps(obj)).hexdigest()


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a text's UTF-8: the only form free or personal text takes in the ledger."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dumps(obj: Any) -> bytes:
    """RFC 8785 canonical JSON of `obj`, as UTF-8 bytes (identical to `rfc8785.dumps`)."""
    text = fast_text(obj)
    if text is not None:
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the package rejects it
            pass
    return rfc8785.dumps(obj)


def fast_text(obj: Any) -> str | None:
    """The canonical JSON text of `obj` when the fast path covers it, else None (then only
    `dumps` decides). The text may hold lone surrogates, which fail to encode as UTF-8."""
    try:
        kind = _kind(obj)
    except RecursionError:  # too deep (or circular): the package decides
        return None
    if kind == _OTHER:
        return None
    try:
        return _encode(obj) if kind == _PLAIN else "".join(_write(obj, []))
    except (ValueError, RecursionError):
        return None


def _kind(o: Any) -> int:
    """_PLAIN if the fast path covers `o` without floats, _FLOATS with them, else _OTHER."""
    t = type(o)
    if t is dict:
        kind = _PLAIN
        for k, v in o.items():
            if type(k) is not str or (not k.isascii() and max(k) > "\uffff"):
                return _OTHER  # not exactly a str, or outside the BMP (UTF-16 order differs)
            t = type(v)
            if t is not str:
                sub = _kind(v)
                if sub == _OTHER:
                    return _OTHER
                kind |= sub
        return kind
    if t is str or t is bool or o is None:
        return _PLAIN
    if t is int:
        return _PLAIN if -MAX_SAFE_INT <= o <= MAX_SAFE_INT else _OTHER
    if t is float:
        return _FLOATS if math.isfinite(o) else _OTHER
    if t is list:
        kind = _PLAIN
        for v in o:
            if type(v) is not str:
                sub = _kind(v)
                if sub == _OTHER:
                    return _OTHER
                kind |= sub
        return kind
    return _OTHER


def _write(o: Any, out: list[str]) -> list[str]:
    """Serialise a value `_kind` accepted (floats allowed) into `out`."""
    t = type(o)
    if t is str:
        out.append(_string(o))
    elif t is dict:
        out.append("{")
        for n, k in enumerate(sorted(o)):
            if n:
                out.append(",")
            out.append(_string(k))
            out.append(":")
            _write(o[k], out)
        out.append("}")
    elif t is list:
        out.append("[")
        for n, v in enumerate(o):
            if n:
                out.append(",")
            _write(v, out)
        out.append("]")
    elif t is float:
        out.append(_number(o))
    elif o is True:
        out.append("true")
    elif o is False:
        out.append("false")
    elif o is None:
        out.append("null")
    else:
        out.append(str(o))  # a safe integer
    return out


def _number(x: float) -> str:
    """ECMAScript Number::toString(x) for a finite float (ECMA-262, 7.1.12.1)."""
    if x == 0:
        return "0"  # also -0
    if x < 0:
        return "-" + _number(-x)
    # Shortest round-trip digits s (k of them) and exponent n with x = 0.s * 10**n.
    mantissa, _, exp = repr(x).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    n = len(whole) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{head}e{sign}{abs(e)}"
