"""Writers of the scenario files: detections and truth as vectorised JSON Lines.

Times are written as `tocsin.times.format_time` writes them: each distinct
second is formatted once and joined with its milliseconds.

>>> time_text([1795554000.25, 1795554000.9996])
b'2026-11-24T21:00:00.250Z\\n2026-11-24T21:00:01.000Z\\n'
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from tocsin.sim.lines import Lit, Num, Str, lines_bytes
from tocsin.sim.records import Records, ms_of


def time_segments(t_s, where=None) -> list:
    """Segments writing ISO 8601 UTC times with milliseconds and a Z."""
    sec, frac = np.divmod(ms_of(t_s), 1000)
    usec, inv = np.unique(sec, return_inverse=True)
    heads = np.array(
        [datetime.fromtimestamp(int(s), tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") for s in usec],
        dtype="S20",
    )
    return [Str(heads[inv], where), Num(frac, 0, where, 3), Lit(b"Z", where)]


def time_text(t_s) -> bytes:
    """Times, one a line (for tests and doctests)."""
    t_s = np.asarray(t_s, float)
    return lines_bytes(len(t_s), time_segments(t_s))


def _angle(v: np.ndarray, decimals: int) -> np.ndarray:
    """Angles rounded as written, folded into [0, 360) after rounding."""
    scale = 10.0**decimals
    return np.mod(np.rint(v * scale) / scale, 360.0)


def detection_bytes(rec: Records) -> bytes:
    """`detections.jsonl` (spec §2): one line per record, in the records' order.

    A field is written where its column has a value (finite; count > 0; ids >= 0).
    """
    segs = [
        Lit(b'{"t": "'),
        *time_segments(rec.t_s),
        Lit(b'", "rx": "'),
        *time_segments(rec.rx_s),
        Lit(b'", "sensor": "'),
        Str(rec.sensor),
        Lit(b'", "kind": "'),
        Str(rec.kind),
        Lit(b'"'),
    ]
    for key, values, decimals in (
        ("range_m", rec.range_m, 1),
        ("azimuth_deg", _angle(rec.azimuth_deg, 3), 3),
        ("elevation_deg", rec.elevation_deg, 3),
        ("bearing_deg", _angle(rec.bearing_deg, 3), 3),
        ("lat", rec.lat_deg, 6),
        ("lon", rec.lon_deg, 6),
        ("alt_m", rec.alt_m, 0),
        ("sigma_m", rec.sigma_m, 0),
        ("heading_deg", _angle(rec.heading_deg, 1), 1),
        ("v_east_mps", rec.v_east_mps, 1),
        ("v_north_mps", rec.v_north_mps, 1),
    ):
        segs += _field(key, values, decimals, np.isfinite(values))
    segs += _field("count", rec.count, 0, rec.count > 0)
    segs += _field("reporter", rec.reporter, 0, rec.reporter >= 0, prefix="p")
    segs += _field("ext_id", rec.ext_id, 0, rec.ext_id >= 0, prefix="N")
    return lines_bytes(len(rec), [*segs, Lit(b"}")])


def _field(key: str, values, decimals: int, where, prefix: str = "") -> list:
    """Segments of `, "key": value`, or of a string `"<prefix><number>"` given a prefix."""
    if not prefix:
        return [Lit(f', "{key}": '.encode(), where), Num(values, decimals, where)]
    head = f', "{key}": "{prefix}'.encode()
    return [Lit(head, where), Num(values, decimals, where), Lit(b'"', where)]


def truth_bytes(t_s, target_ids, lat_deg, lon_deg, alt_m) -> bytes:
    """`truth.jsonl` rows (spec §5), in the order given; target_ids (K,) ASCII strings."""
    ids = np.asarray(target_ids).astype(np.bytes_)
    segs = [
        Lit(b'{"t": "'),
        *time_segments(t_s),
        Lit(b'", "target": "'),
        Str(ids),
        Lit(b'", "lat": '),
        Num(lat_deg, 6),
        Lit(b', "lon": '),
        Num(lon_deg, 6),
        Lit(b', "alt_m": '),
        Num(alt_m, 1),
        Lit(b"}"),
    ]
    return lines_bytes(len(ids), segs)


def write_json(path: Path, doc: dict, one_per_line: str | None = None) -> None:
    """A JSON file; the list under `one_per_line`, if given, gets one entry a line."""
    if one_per_line is None:
        text = json.dumps(doc, indent=2, ensure_ascii=False)
    else:
        items = ",\n  ".join(json.dumps(x, ensure_ascii=False) for x in doc[one_per_line])
        text = f'{{"{one_per_line}": [\n  {items}\n]}}'
    Path(path).write_text(text + "\n", encoding="utf-8")
