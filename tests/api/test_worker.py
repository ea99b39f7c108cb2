"""The engine thread steps as soon as records come, not at the next tick; idle, on ticks."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from tocsin.api.metrics import ServiceMetrics
from tocsin.api.restore import Resumed
from tocsin.api.worker import EngineWorker, Inbound
from tocsin.messages import Detection
from tocsin.store import SqliteEventLog

TICK_S = 30.0  # far longer than the test: any step it sees was made for records


class StepRecorder:
    """Stands in for the engine: keeps each step's time and the records it was given."""

    def __init__(self) -> None:
        self.steps: list[tuple[float, list[Detection]]] = []
        self.alerts = SimpleNamespace(active_zones=lambda level: [])
        self.stepped = threading.Event()

    def step(self, now_s: float, detections) -> SimpleNamespace:
        if detections:  # a tick may still fall within the test: only steps with records count
            self.steps.append((now_s, list(detections)))
            self.stepped.set()
        return SimpleNamespace(tracks=SimpleNamespace(status=[]), changes=[], caps=[])


def _detection(seq: int, rx_s: float) -> Detection:
    return Detection(seq=seq, sensor="R1", kind="radar", t_s=rx_s, rx_s=rx_s, x_m=0.0,
                     y_m=0.0, cov_xy=(100.0, 0.0, 100.0))  # fmt: skip


def _worker(tmp_path, engine: StepRecorder, step_gap_s: float) -> EngineWorker:
    def build():
        return engine, SqliteEventLog(tmp_path / "events.sqlite"), Resumed()

    return EngineWorker(build, TICK_S, lambda out: None, ServiceMetrics(), tmp_path, 10_000,
                        step_gap_s=step_gap_s)  # fmt: skip


def _submit(w: EngineWorker, seq: int) -> float:
    rx = time.time()
    w.submit(Inbound("R1", rx, [_detection(seq, rx)], ['{"sensor": "R1"}'], []))
    return rx


def test_records_are_stepped_at_once_and_later_ones_no_sooner_than_the_gap(tmp_path):
    engine = StepRecorder()
    w = _worker(tmp_path, engine, step_gap_s=0.3)
    w.start()
    try:
        rx1 = _submit(w, 1)
        assert engine.stepped.wait(TICK_S / 3), "no step for a waiting record before the tick"
        engine.stepped.clear()
        rx2 = _submit(w, 2)
        assert engine.stepped.wait(TICK_S / 3)
    finally:
        w.stop(10.0)
    (t1, first), (t2, second) = engine.steps[0], engine.steps[1]
    assert [d.seq for d in first] == [1] and [d.seq for d in second] == [2]
    assert t1 > rx1 and t2 > rx2  # each record arrived before the step that took it
    assert t2 - t1 >= 0.3  # no sooner than the gap after the last step
    assert t2 - t1 < TICK_S / 3  # and not held for the tick


def test_stopping_steps_once_more_with_what_is_queued(tmp_path):
    engine = StepRecorder()
    w = _worker(tmp_path, engine, step_gap_s=TICK_S)
    w.start()
    _submit(w, 1)
    assert engine.stepped.wait(TICK_S / 3)
    _submit(w, 2)  # held back by the gap
    w.stop(10.0)
    assert [[d.seq for d in batch] for _, batch in engine.steps] == [[1], [2]]
    with SqliteEventLog(tmp_path / "events.sqlite") as elog:
        kinds = [e.kind for e in elog.read()]
    assert kinds.count("record_taken") == 2 and kinds[-1] == "run_finished"
