"""Detection streams in files: ``detections.jsonl`` (interchange spec §2)."""

from __future__ import annotations

import codecs
import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from tocsin.ingest.parse import MAX_LINE_BYTES, Intake
from tocsin.messages import Detection

BATCH = 4096  # records converted together by load_detections


def read_detections(
    path: str | Path, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, bytes]]:
    """``(seq, raw line)`` for every line of a JSON Lines file, seq from 0.

    Lines are bytes without their line ending, undecoded: decoding is the
    intake's job, so a line that is not UTF-8 becomes a ``bad_encoding``
    rejection rather than an exception. Nothing is skipped (an empty line is
    yielded too); a UTF-8 byte order mark opening the file is dropped. A line
    longer than ``max_line_bytes`` is not read whole: its first
    ``max_line_bytes + 2`` bytes are yielded, which the intake rejects as
    ``too_long``.
    """
    cap = max_line_bytes + 2  # room for "\r\n"
    with open(path, "rb") as fh:
        seq = 0
        while line := fh.readline(cap):
            if len(line) == cap and not line.endswith(b"\n"):
                _skip_rest_of_line(fh)
            elif line.endswith(b"\n"):
                line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
            if seq == 0 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            yield seq, line
            seq += 1


def _skip_rest_of_line(fh) -> None:
    while (chunk := fh.readline(1 << 20)) and not chunk.endswith(b"\n"):
        pass


def load_detections(
    path: str | Path, intake: Intake, batch: int = BATCH
) -> tuple[list[Detection], Counter]:
    """Every good record of a file as Detections sorted by (rx, seq), and rejects by reason.

    The counts are this file's; ``intake.counts`` accumulates across calls.
    The cyclic garbage collector is paused while the file loads: intake makes
    no reference cycles, and full collections over a growing list of
    Detections would otherwise cost about a quarter of the time.
    """
    detections: list[Detection] = []
    rejected: Counter = Counter()
    lines = read_detections(path, intake.max_line_bytes)
    with _gc_paused():
        while chunk := list(islice(lines, batch)):
            for r in intake.take_many(chunk):
                if type(r) is Detection:
                    detections.append(r)
                else:
                    rejected[r.reason] += 1
        detections.sort(key=lambda d: (d.rx_s, d.seq))
    return detections, rejected


@contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
