"""One line of a detection stream to its JSON object, or the reason it has none.

Strict JSON (RFC 8259): ``NaN`` and ``Infinity``, which Python's json module
accepts, are refused (``not_finite``, naming the field when it can).
"""

from __future__ import annotations

import json

from tocsin.ingest import fields as f


class _NonFinite(ValueError):
    pass


def _no_constant(name: str) -> float:
    raise _NonFinite(name)


_STRICT = json.JSONDecoder(parse_constant=_no_constant)  # NaN, Infinity are not JSON
_SCAN = _STRICT.scan_once  # (value, end) of the JSON value at an index
_LENIENT = json.JSONDecoder()  # only to name the field holding a NaN


def line_to_record(line: str | bytes, limit: int) -> dict:
    """The JSON object of one line, or ``FieldError`` saying why there is none."""
    if isinstance(line, (bytes, bytearray, memoryview)):
        if len(line) > limit:
            raise f.FieldError("too_long", None, f"longer than {limit} bytes")
        try:
            line = bytes(line).decode("utf-8")
        except UnicodeDecodeError as e:
            raise f.FieldError("bad_encoding", None, f"not UTF-8 (byte {e.start})") from None
    elif not isinstance(line, str):
        raise f.FieldError("bad_type", None, f"a record must be text, not {type(line).__name__}")
    elif len(line) > limit // 4 and len(line.encode("utf-8", "surrogatepass")) > limit:
        raise f.FieldError("too_long", None, f"longer than {limit} bytes")
    try:
        rec, end = _SCAN(line, 0)  # the fast path; any failure is diagnosed below
        if end != len(line) and line[end:].strip(" \t\n\r"):
            raise ValueError("extra data")
    except Exception:
        rec = _diagnose(line)
    if type(rec) is not dict:
        raise f.FieldError(
            "not_object", None, f"a record must be a JSON object, not {type(rec).__name__}"
        )
    return rec


def _diagnose(line: str) -> object:
    """Decode a line the fast path refused (leading blanks) or raise why it is bad."""
    try:
        return _STRICT.decode(line)
    except _NonFinite:
        raise _nonfinite(line) from None
    except json.JSONDecodeError as e:
        if not line.strip():
            raise f.FieldError("empty", None, "empty line") from None
        raise f.FieldError("bad_json", None, f"not JSON: {e.msg} at column {e.colno}") from None
    except RecursionError:
        raise f.FieldError("bad_json", None, "not JSON: nested too deeply") from None
    except ValueError as e:  # e.g. an integer of more than 4300 digits
        raise f.FieldError("bad_json", None, f"not JSON: {f.show(str(e))}") from None


def _nonfinite(line: str) -> f.FieldError:
    """The error for a record holding NaN or Infinity, naming the field when it can."""
    try:
        rec = _LENIENT.decode(line)
        if type(rec) is dict:
            for key, value in rec.items():
                if not f.finite_everywhere(value):
                    return f.FieldError(
                        "not_finite", key, f"{key!r} must be a finite number, not NaN or Infinity"
                    )
    except (ValueError, RecursionError):
        pass
    return f.FieldError("not_finite", None, "NaN and Infinity are not JSON numbers")
