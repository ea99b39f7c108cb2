"""Batch replay (spec §4): drive the engine from files with the records' own clock."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tocsin.alert.cap import CapSettings
from tocsin.engine import Engine, EngineSettings
from tocsin.geo import Region
from tocsin.ingest import Intake, load_sensors, read_detections
from tocsin.messages import Detection
from tocsin.publish.files import RunWriter, write_json
from tocsin.store import SqliteEventLog

Progress = Callable[[float], None]  # share of the replay done, 0..1


@dataclass(frozen=True, slots=True)
class ReplaySettings:
    engine: EngineSettings = EngineSettings()
    tail_max_s: float = 1800.0  # after the last record, run on until all is clear, at most this
    sender: str = "tocsin@localhost"


def replay(
    region: Region,
    sensors_path: Path,
    detections_path: Path,
    out_dir: Path,
    settings: ReplaySettings | None = None,
    progress: Progress | None = None,
) -> dict:
    """Replay a detection file through the engine into out_dir; returns the summary."""
    settings = settings or ReplaySettings()
    wall0 = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sensors = load_sensors(sensors_path, region.frame)
    intake = Intake(sensors, region.frame)
    log_path = out_dir / "events.sqlite"
    log_path.unlink(missing_ok=True)
    log = SqliteEventLog(log_path, durable=False)  # a replay can be run again
    good: list[Detection] = []
    n_read = 0
    for chunk in _chunks(read_detections(detections_path), 4096):
        n_read += len(chunk)
        items = []
        for (seq, raw), out in zip(chunk, intake.take_many(chunk), strict=True):
            if isinstance(out, Detection):
                good.append(out)
                items.append(("record_taken", out.rx_s, {"seq": seq, "line": _text(raw)}))
            else:
                items.append(
                    (
                        "record_rejected",
                        0.0,
                        {"seq": seq, "reason": out.reason, "message": out.message},
                    )
                )
        log.append_many(items)
    good.sort(key=lambda d: (d.rx_s, d.seq))
    cap = CapSettings(sender=settings.sender, region_id=region.name)
    engine = Engine(region, sensors, cap, settings.engine, log)
    t_first = math.floor(good[0].rx_s) + 1 if good else 0.0
    t_last = math.floor(good[-1].rx_s) + 1 if good else 0.0
    with RunWriter(out_dir, region.frame) as writer:
        i, now = 0, t_first
        while good and now <= t_last + settings.tail_max_s:
            j = i
            while j < len(good) and good[j].rx_s < now:
                j += 1
            batch = good[i:j]
            i = j
            writer.write(engine.step(float(now), batch))
            if progress is not None:
                progress(min(1.0, (now - t_first) / max(t_last - t_first, 1.0)))
            if i == len(good) and _quiet(engine):
                break
            # Nothing alive and nothing pending: jump to the next record's second.
            if i < len(good) and _quiet(engine) and good[i].rx_s >= now + 1:
                now = math.floor(good[i].rx_s) + 1
            else:
                now += 1
        counts = dict(writer.counts)
    wall = time.perf_counter() - wall0
    log.flush()
    log.close()
    span = (t_last - t_first) if good else 0.0
    summary = {
        "records_read": n_read,
        "records_accepted": len(good),
        "records_rejected": sum(intake.counts.values()),
        "rejected_by_reason": dict(sorted(intake.counts.items())),
        "tracks": engine.tracker.table.n,
        "tracks_confirmed": engine.counts["tracks_confirmed"],
        "alerts": counts["alert_rows"],
        "cap_messages": counts["cap_files"],
        "track_rows": counts["track_rows"],
        "scenario_seconds": span,
        "wall_seconds": round(wall, 3),
        "records_per_second": round(n_read / wall, 1) if wall > 0 else None,
        "speedup_vs_real_time": round(span / wall, 1) if wall > 0 else None,
    }
    write_json(out_dir / "summary.json", summary)
    return summary


def _chunks(it, n: int):
    chunk = []
    for item in it:
        chunk.append(item)
        if len(chunk) == n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _text(raw: bytes | str) -> str:
    """A record as text for the log; undecodable bytes are kept visibly replaced."""
    return raw if isinstance(raw, str) else raw.decode("utf-8", "backslashreplace")


def _quiet(engine: Engine) -> bool:
    """No live track and no zone under alert: time passing changes nothing."""
    return len(engine.tracker.table.live()) == 0 and not any(
        len(engine.alerts.active_zones(lvl)) for lvl in ("advisory", "warning")
    )
