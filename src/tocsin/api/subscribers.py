"""Subscriptions by location, kept in ``subscriptions.jsonl`` beside the event log.

Each line is ``{"id": n, "zone": "<H3>", "target": {...}}`` for an added
subscription or ``{"id": n, "removed": true}``; the file is read back at
start, so subscriptions survive restarts. The zone index lives in a
``SubscriberIndex``; targets are kept here, by subscription number.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import numpy as np

from tocsin.errors import InputError
from tocsin.publish.fanout import SubscriberIndex

log = logging.getLogger(__name__)


class SubscriberStore:
    def __init__(self, path: Path, index: SubscriberIndex, zone_ids: np.ndarray) -> None:
        self.path, self.index = Path(path), index
        self._ids = [str(z) for z in zone_ids]
        self._zone_of = {z: i for i, z in enumerate(self._ids)}
        self.targets: list[dict | None] = []
        self._fh = None
        self._lock = threading.Lock()

    def load(self) -> int:
        """Read the file back into the index; returns how many subscriptions are in force."""
        zones: list[int] = []
        lines = self.path.read_text("utf-8").splitlines(True) if self.path.exists() else []
        for k, line in enumerate(lines):
            try:
                doc = json.loads(line)
                if doc.get("removed"):
                    self.targets[doc["id"]] = None
                    zones[doc["id"]] = -1
                    continue
                zones.append(self._zone_of.get(doc["zone"], -1))
                self.targets.append(doc["target"])
            except (ValueError, KeyError, IndexError, TypeError, AttributeError) as e:
                if k == len(lines) - 1 and not line.endswith("\n"):  # torn by a crash
                    log.warning("dropped a torn last line", extra={"path": str(self.path)})
                    self.path.write_text("".join(lines[:k]), "utf-8")
                    break
                raise InputError(f"{self.path}: line {k + 1}: not a subscription: {e}") from e
        z = np.asarray(zones, np.int32)
        numbers = self.index.add_many(np.where(z < 0, 0, z))
        for n in numbers[z < 0]:
            self.index.remove(int(n))
        self._fh = self.path.open("a", encoding="utf-8")
        return int((z >= 0).sum())

    def add(self, zone: int, target: dict) -> int:
        with self._lock:
            (number,) = self.index.add_many(np.array([zone]))
            self.targets.append(target)
            zone_id = self._ids[zone]
            self._write({"id": int(number), "zone": zone_id, "target": target})
        return int(number)

    def remove(self, number: int) -> bool:
        with self._lock:
            if not self.index.remove(number):
                return False
            self.targets[number] = None
            self._write({"id": number, "removed": True})
        return True

    def target(self, number: int) -> dict | None:
        """The delivery target of a subscription in force, else None."""
        return self.targets[number] if 0 <= number < len(self.targets) else None

    def _write(self, doc: dict) -> None:
        if self._fh is None:
            raise InputError("subscriptions are not loaded yet")
        self._fh.write(json.dumps(doc, separators=(",", ":")) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
