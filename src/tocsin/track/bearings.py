"""Tracks started from acoustic bearings: where two nodes' bearings cross, or on one alone.

A bearing that fits no track waits ``Initiator.triangulation_window_s`` for
another node's to cross it; where they cross, a track starts at the fix. Until
then (with ``single_bearing_start``) it starts a track of its own along the
bearing, where a heard drone most likely is, which the crossing moves to the fix.
"""

from __future__ import annotations

import numpy as np

from tocsin.messages import Detection
from tocsin.track.hearing import bearing_of
from tocsin.track.initiate import Initiator
from tocsin.track.table import TENTATIVE, TrackTable
from tocsin.types import IntArray


class BearingStarts:
    """Unassociated bearings awaiting a crossing one, each with the track it started on
    its own (-1: none)."""

    def __init__(self, initiator: Initiator, single_start: bool) -> None:
        self.initiator = initiator
        self.single_start = single_start
        self.pending: list[tuple[Detection, int]] = []

    def start(self, tab: TrackTable, d: Detection) -> None:
        """Cross an unassociated bearing with another node's, or start a track on it."""
        window_s = self.initiator.triangulation_window_s
        self.pending = [(b, k) for b, k in self.pending if b.t_s >= d.t_s - window_s]
        for i, (b, k) in enumerate(self.pending):
            fix = self.initiator.triangulate(b, d)
            if fix is None:
                continue
            del self.pending[i]
            x, P = self.initiator.from_detection(fix)
            if k >= 0 and lone(tab, k):  # the track b started moves to where they cross
                tab.restart(k, x, P, fix.t_s)
            else:
                k = tab.add(x, P, fix.t_s, b.sensor, "acoustic")
                tab.evidence[k].bearings.append(bearing_of(b))
            ev = tab.evidence[k]
            ev.hit(d.t_s, d.sensor, "acoustic")
            ev.llr.append(0.0)
            ev.sensors.add(d.sensor)
            ev.bearings.append(bearing_of(d))
            return
        k = -1
        if self.single_start:
            x, P = self.initiator.from_detection(self.initiator.along_bearing(d))
            k = tab.add(x, P, d.t_s, d.sensor, "acoustic")
            tab.evidence[k].bearings.append(bearing_of(d))
        self.pending.append((d, k))

    def leave_lone(
        self, tab: TrackTable, live: IntArray, trks: IntArray, cand: IntArray, node: str
    ) -> tuple[IntArray, IntArray]:
        """Candidate pairs (live[trks], cand) without the tracks that another node's lone
        bearing has just started: a bearing of this node crosses that bearing instead."""
        started = {k for b, k in self.pending if k >= 0 and b.sensor != node}
        if not started or len(trks) == 0:
            return trks, cand
        keep = np.array([live[t] not in started or not lone(tab, live[t]) for t in trks], bool)
        return trks[keep], cand[keep]


def lone(tab: TrackTable, k: int) -> bool:
    """Whether track k is alive with nothing but the one bearing that started it."""
    return bool(tab.alive[k]) and tab.status[k] == TENTATIVE and len(tab.evidence[k].hits) == 1
