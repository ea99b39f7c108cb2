"""The run directory channel (spec §4): tracks.jsonl, alerts.jsonl and cap/<seq>.xml."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tocsin.geo import LocalFrame
from tocsin.publish.rows import change_to_row
from tocsin.times import format_time

if TYPE_CHECKING:  # publish sits below the engine; it only reads what a step returns
    from tocsin.engine import StepResult


_ROW_ENCODER = json.JSONEncoder(separators=(", ", ": "))  # as json.dumps, made once


class RunWriter:
    """Appends each engine step's tracks, alert changes and CAP messages to a run directory."""

    def __init__(self, out_dir: Path, frame: LocalFrame) -> None:
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "cap").mkdir(exist_ok=True)
        self._cap_dir = str(self.dir / "cap")
        self.frame = frame
        self._tracks = (self.dir / "tracks.jsonl").open("w", encoding="utf-8")
        self._alerts = (self.dir / "alerts.jsonl").open("w", encoding="utf-8")
        self.counts = {"track_rows": 0, "alert_rows": 0, "cap_files": 0}
        self._sensor_lists: dict[tuple[str, ...], str] = {}  # a track's sensors as JSON text

    def write(self, r: StepResult) -> None:
        self._write_tracks(r)
        for i, c in enumerate(r.changes):
            row = change_to_row(c, r.cap_of.get(i))
            self._alerts.write(_ROW_ENCODER.encode(row) + "\n")
        self.counts["alert_rows"] += len(r.changes)
        for m in r.caps:
            _write_file(os.path.join(self._cap_dir, f"{m.seq}.xml"), m.xml)
        self.counts["cap_files"] += len(r.caps)

    def _write_tracks(self, r: StepResult) -> None:
        rows = r.tracks
        if not rows.ids:
            return
        x = rows.states
        lat, lon = self.frame.xy_to_latlng(x[:, 0], x[:, 1])
        t = format_time(rows.t_s)
        # Python floats format as numpy's do, for a fraction of the time.
        nums = (lat, lon, x[:, 2], x[:, 3], x[:, 4], rows.sigma_m)
        cols = zip(rows.ids, rows.status, *(a.tolist() for a in nums), rows.sensors, strict=True)
        names = self._sensor_lists
        lines = []
        for tid, status, la, lo, alt, ve, vn, sig, sensors in cols:
            text = names.get(sensors)
            if text is None:
                text = names[sensors] = json.dumps(list(sensors))
            lines.append(
                f'{{"t": "{t}", "track": "{tid}", "status": "{status}", '
                f'"lat": {la:.6f}, "lon": {lo:.6f}, "alt_m": {alt:.1f}, '
                f'"v_east_mps": {ve:.2f}, "v_north_mps": {vn:.2f}, '
                f'"sigma_m": {sig:.1f}, "sensors": {text}}}\n'
            )
        self._tracks.write("".join(lines))
        self.counts["track_rows"] += len(lines)

    def close(self) -> None:
        self._tracks.close()
        self._alerts.close()

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _write_file(path: str, data: bytes) -> None:
    """Write a whole file with the system's calls alone: a mass raid's thousands of CAP
    files spend more in Python's file objects than in writing."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def write_json(path: Path, doc: dict) -> None:
    """A small JSON document, sorted and indented, as Tocsin writes summaries."""
    Path(path).write_text(json.dumps(doc, indent=2, sort_keys=True, default=_plain) + "\n", "utf-8")


def _plain(o):
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
