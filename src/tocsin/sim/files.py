"""Readers for what `score` reads (spec §4, §5): truth, targets, alerts, tracks.

Each reader returns parallel numpy arrays. Anything malformed raises
`InputError` naming the file, the line (for JSON Lines; the entry for
`targets.json`) and the field; a missing file names its path.
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from pathlib import Path

import numpy as np

from tocsin.errors import InputError
from tocsin.times import parse_time
from tocsin.types import ALERT_EVENTS, ALERT_LEVELS, FloatArray, IntArray

TRACK_STATUSES = ("tentative", "confirmed", "deleted")
CHUNK_ROWS = 100_000  # JSON Lines rows parsed at a time
_TRUTH_DTYPES = (float, np.int64, float, float, float, np.int64)
_TRACK_DTYPES = (float, object, object, float, float)
_NUMBER = (int, float)


@dataclass(frozen=True, slots=True, kw_only=True)
class Targets:
    """`targets.json` as arrays (T,): ids, kinds, speeds (NaN absent), first_rx (NaN if null)."""

    ids: np.ndarray
    kind: np.ndarray
    speed_mps: FloatArray
    first_rx_s: FloatArray

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True, kw_only=True)
class Truth:
    """`truth.jsonl` as arrays (N,); `target` indexes `target_ids` (first-seen order)."""

    t_s: FloatArray
    target: IntArray
    target_ids: list[str]
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    line: IntArray

    def __len__(self) -> int:
        return len(self.t_s)


@dataclass(frozen=True, slots=True, kw_only=True)
class Alerts:
    """`alerts.jsonl` as arrays (A,), in file order; eta_s NaN where absent."""

    t_s: FloatArray
    zone: np.ndarray
    event: np.ndarray
    level: np.ndarray
    eta_s: FloatArray
    line: IntArray
    name: str = "alerts.jsonl"

    def __len__(self) -> int:
        return len(self.t_s)


@dataclass(frozen=True, slots=True, kw_only=True)
class Tracks:
    """`tracks.jsonl` as arrays (R,); lat/lon NaN on `deleted` rows that carry none."""

    t_s: FloatArray
    track: np.ndarray
    status: np.ndarray
    lat_deg: FloatArray
    lon_deg: FloatArray

    def __len__(self) -> int:
        return len(self.t_s)


def read_jsonl(path: str | Path) -> tuple[list[dict], IntArray]:
    """The JSON objects of a JSON Lines file and their 1-based line numbers.

    Blank lines are skipped; a line that is not a JSON object is an InputError.
    """
    objs: list[dict] = []
    numbers = []
    for chunk, nums in _chunks(path):
        objs += chunk
        numbers.append(nums)
    return objs, np.concatenate(numbers) if numbers else np.zeros(0, np.int64)


def _chunks(path: str | Path) -> Iterator[tuple[list[dict], IntArray]]:
    """A JSON Lines file as successive (objects, line numbers) of up to CHUNK_ROWS lines.

    Fast path: each chunk is parsed as one JSON array in a single call; when
    that fails, line by line, to name the bad line. Chunks bound the memory
    that a million parsed rows would take.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as e:
        raise InputError(f"missing file: {path}") from e
    except UnicodeDecodeError as e:
        n = path.read_bytes()[: e.start].count(b"\n") + 1
        raise InputError(f"{path} line {n}: not UTF-8") from e
    except OSError as e:
        raise InputError(f"cannot read {path}: {e}") from e
    lines = text.splitlines()
    del text
    numbers = np.arange(1, len(lines) + 1, dtype=np.int64)
    if not all(map(str.strip, lines)):  # blank lines: skip them, keep the numbering
        keep = [i for i, s in enumerate(lines) if s.strip()]
        lines, numbers = [lines[i] for i in keep], numbers[keep]
    rows = CHUNK_ROWS
    for k in range(0, len(lines), rows):
        yield _parse(lines[k : k + rows], numbers[k : k + rows], path), numbers[k : k + rows]


def _parse(lines: list[str], numbers: IntArray, path: Path) -> list[dict]:
    objs = None
    if all(map(str.startswith, lines, repeat("{"))) and all(map(str.endswith, lines, repeat("}"))):
        gc.disable()  # many small dicts would wake the cycle collector again and again
        try:  # "\n," so that no value can span two lines unnoticed
            objs = json.loads("[" + "\n,".join(lines) + "]")
        except json.JSONDecodeError:
            objs = None
        finally:
            gc.enable()
    if objs is None or len(objs) != len(lines) or not set(map(type, objs)) <= {dict}:
        objs = [_parse_line(s, n, path) for n, s in zip(numbers.tolist(), lines, strict=True)]
    return objs


def _parse_line(line: str, n: int, path: Path) -> dict:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(f"{path} line {n}: not valid JSON: {e.msg}") from e
    if type(obj) is not dict:
        raise InputError(f"{path} line {n}: expected a JSON object, got {type(obj).__name__}")
    return obj


def read_targets(path: str | Path) -> Targets:
    """Read `targets.json` (spec §5); `first_rx` is required, null when never reported."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as e:
        raise InputError(f"missing file: {path}") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        where = f" line {e.lineno}" if isinstance(e, json.JSONDecodeError) else ""
        raise InputError(f"{path}{where}: not valid JSON: {getattr(e, 'msg', e)}") from e
    entries = doc.get("targets") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{path}: expected an object with a 'targets' list")
    ids, kinds, speeds, first = [], [], [], []
    seen: set[str] = set()
    for k, e in enumerate(entries):
        where = f"{path} entry {k}"
        if not isinstance(e, dict):
            raise InputError(f"{where}: expected a JSON object")
        tid = e.get("target")
        if not isinstance(tid, str) or not tid:
            raise InputError(f"{where}: 'target' must be a non-empty string")
        where = f"{where} ({tid})"
        if tid in seen:
            raise InputError(f"{where}: 'target' is not unique")
        seen.add(tid)
        if "first_rx" not in e:
            raise InputError(f"{where}: 'first_rx' is required (null if never reported)")
        rx = e["first_rx"]
        first.append(math.nan if rx is None else _time(rx, where, "first_rx"))
        speed = e.get("speed_mps")
        if speed is not None and type(speed) not in _NUMBER:
            raise InputError(f"{where}: 'speed_mps' must be a number")
        speeds.append(math.nan if speed is None else float(speed))
        kinds.append(str(e.get("kind") or ""))
        ids.append(tid)
    return Targets(
        ids=np.array(ids, dtype=object),
        kind=np.array(kinds, dtype=object),
        speed_mps=np.array(speeds, float),
        first_rx_s=np.array(first, float),
    )


def read_truth(path: str | Path) -> Truth:
    """Read `truth.jsonl` (spec §5): t, target, lat, lon required; alt_m defaults to 0."""
    name, codes, cache = str(path), {}, {}
    cols: list[list[np.ndarray]] = [[], [], [], [], [], []]
    for objs, lines in _chunks(path):
        raw = _column(objs, "target")
        target = np.empty(len(objs), np.int64)
        for i, v in enumerate(raw):
            c = codes.get(v) if type(v) is str else None
            if c is None:
                if type(v) is not str or not v:
                    raise InputError(f"{name} line {lines[i]}: 'target' must be a non-empty string")
                c = codes[v] = len(codes)
            target[i] = c
        chunk = (
            _times(objs, lines, name, "t", cache),
            target,
            _numbers(objs, lines, name, "lat", -90.0, 90.0),
            _numbers(objs, lines, name, "lon", -180.0, 180.0),
            _numbers(objs, lines, name, "alt_m", default=0.0),
            lines,
        )
        for col, part in zip(cols, chunk, strict=True):
            col.append(part)
    t, target, lat, lon, alt, line = (
        _concat(c, d) for c, d in zip(cols, _TRUTH_DTYPES, strict=True)
    )
    return Truth(
        t_s=t, target=target, target_ids=list(codes), lat_deg=lat, lon_deg=lon, alt_m=alt, line=line
    )


def read_alerts(path: str | Path) -> Alerts:
    """Read a run's `alerts.jsonl` (spec §4): t, zone, event, level required."""
    objs, lines = read_jsonl(path)
    return _alerts(objs, lines, str(path))


def alerts_from_rows(rows: list[dict], name: str = "alerts") -> Alerts:
    """Alerts from rows in memory (as a policy makes them), checked like a file's."""
    return _alerts(rows, np.arange(1, len(rows) + 1, dtype=np.int64), name)


def _alerts(objs: list[dict], lines: IntArray, name: str) -> Alerts:
    return Alerts(
        t_s=_times(objs, lines, name, "t"),
        zone=_strings(objs, lines, name, "zone"),
        event=_strings(objs, lines, name, "event", ALERT_EVENTS),
        level=_strings(objs, lines, name, "level", ALERT_LEVELS),
        eta_s=_numbers(objs, lines, name, "eta_s", default=math.nan),
        line=lines,
        name=name,
    )


def read_tracks(path: str | Path) -> Tracks:
    """Read a run's `tracks.jsonl` (spec §4): t, track, status; lat, lon unless deleted."""
    name, cache = str(path), {}
    cols: list[list[np.ndarray]] = [[], [], [], [], []]
    for objs, lines in _chunks(path):
        status = _strings(objs, lines, name, "status", TRACK_STATUSES)
        lat = np.full(len(objs), math.nan)
        lon = np.full(len(objs), math.nan)
        idx = np.flatnonzero(status != "deleted")
        if idx.size:
            live = [objs[i] for i in idx]
            lat[idx] = _numbers(live, lines[idx], name, "lat", -90.0, 90.0)
            lon[idx] = _numbers(live, lines[idx], name, "lon", -180.0, 180.0)
        chunk = (
            _times(objs, lines, name, "t", cache),
            _strings(objs, lines, name, "track"),
            status,
            lat,
            lon,
        )
        for col, part in zip(cols, chunk, strict=True):
            col.append(part)
    t, track, status, lat, lon = (_concat(c, d) for c, d in zip(cols, _TRACK_DTYPES, strict=True))
    return Tracks(t_s=t, track=track, status=status, lat_deg=lat, lon_deg=lon)


def _concat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _column(objs: list[dict], field: str) -> list:
    try:
        return list(map(itemgetter(field), objs))
    except KeyError:
        return [o.get(field) for o in objs]


def _time(value: object, where: str, field: str) -> float:
    try:
        return parse_time(value)
    except ValueError as e:
        raise InputError(f"{where}: '{field}' {e}") from e


def _times(
    objs: list[dict], lines: IntArray, name: str, field: str, cache: dict | None = None
) -> FloatArray:
    """A required time column; ISO strings are parsed once each (files repeat them)."""
    out = np.empty(len(objs))
    cache = {} if cache is None else cache
    for i, v in enumerate(_column(objs, field)):
        if type(v) is str:
            t = cache.get(v)
            if t is None:
                t = cache[v] = _time(v, f"{name} line {lines[i]}", field)
        elif v is None:
            raise InputError(f"{name} line {lines[i]}: '{field}' is required")
        else:
            t = _time(v, f"{name} line {lines[i]}", field)
        out[i] = t
    return out


def _numbers(
    objs: list[dict],
    lines: IntArray,
    name: str,
    field: str,
    lo: float = -math.inf,
    hi: float = math.inf,
    default: float | None = None,
) -> FloatArray:
    """A number column, checked in bulk; the first bad value's line is reported."""
    col = _column(objs, field)
    if default is not None:
        col = [default if v is None else v for v in col]
    if not set(map(type, col)) <= {int, float}:
        i = next(i for i, v in enumerate(col) if type(v) not in _NUMBER)
        what = "is required" if col[i] is None else "must be a number"
        raise InputError(f"{name} line {lines[i]}: '{field}' {what}")
    arr = np.array(col, float)
    bad = ~(np.isfinite(arr) & (arr >= lo) & (arr <= hi))
    if default is not None and math.isnan(default):
        bad &= ~np.isnan(arr)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"{name} line {lines[i]}: '{field}' out of range: {col[i]!r}")
    return arr


def _strings(
    objs: list[dict],
    lines: IntArray,
    name: str,
    field: str,
    allowed: tuple[str, ...] | None = None,
) -> np.ndarray:
    """A required string column, optionally restricted to allowed values."""
    col = _column(objs, field)
    ok = set(allowed) if allowed else None
    for i, v in enumerate(col):
        if type(v) is not str or not v:
            what = "is required" if v is None else "must be a non-empty string"
            raise InputError(f"{name} line {lines[i]}: '{field}' {what}")
        if ok is not None and v not in ok:
            raise InputError(
                f"{name} line {lines[i]}: '{field}' must be one of {', '.join(allowed)}, not {v!r}"
            )
    return np.array(col, dtype=object)
