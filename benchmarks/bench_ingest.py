"""Throughput of the intake on 200k mixed records (a benchmark, not a test).

    .venv/bin/python benchmarks/bench_ingest.py [N]

Prints one JSON line: records/s of ``take`` (one by one), ``take_many`` (the
batched path behind ``load_detections``) and ``load_detections`` from a file
(which also pauses the cyclic GC), next to ``json.loads`` alone and Detection
construction alone as the peers.
Rates are per CPU second of this process, so other load on the machine does
not skew them much.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "ingest"))

from ingest_samples import SENSORS_DOC, good_lines  # noqa: E402

from tocsin.geo import LocalFrame  # noqa: E402
from tocsin.ingest import Intake, load_detections, load_sensors  # noqa: E402
from tocsin.messages import Detection  # noqa: E402


def _rate(n: int, fn) -> float:
    """Records per CPU second (process time: the figure holds on a shared machine)."""
    t0 = time.process_time()
    fn()
    return n / (time.process_time() - t0)


def main(n: int = 200_000) -> None:
    frame = LocalFrame(50.6, 36.6)
    sensors = load_sensors(SENSORS_DOC, frame)
    lines = good_lines(7, n)
    data = [ln.encode() for ln in lines]
    small = min(n, 20_000)  # the one-by-one path is slower: time a slice of it
    out = {"records": n}
    out["json_loads_per_s"] = _rate(n, lambda: [json.loads(ln) for ln in data])
    kw = dict(seq=0, sensor="R1", kind="radar", t_s=1.0, rx_s=1.0, x_m=1.0, y_m=1.0,
              cov_xy=(1.0, 0.0, 1.0), range_m=1.0, azimuth_deg=1.0)  # fmt: skip
    out["detection_init_per_s"] = _rate(n, lambda: [Detection(**kw) for _ in range(n)])
    it = Intake(sensors, frame)
    out["take_per_s"] = _rate(small, lambda: [it.take(ln, k) for k, ln in enumerate(data[:small])])
    it = Intake(sensors, frame)
    rows = list(enumerate(data))
    out["take_many_per_s"] = _rate(  # in batches of 4096, as load_detections does
        n, lambda: [it.take_many(rows[k : k + 4096]) for k in range(0, n, 4096)]
    )
    assert it.accepted == n, it.counts
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "detections.jsonl"
        path.write_bytes(b"\n".join(data) + b"\n")
        it = Intake(sensors, frame)
        out["load_detections_per_s"] = _rate(n, lambda: load_detections(path, it))
    print(json.dumps({k: round(v) for k, v in out.items()}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
