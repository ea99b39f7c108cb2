"""Track swaps in groups: how often confirmed tracks trade the drones they follow.

Scan by scan, the confirmed tracks are assigned to the truth with GOSPA's
optimal assignment (`gospa_pairs`: pairs closer than c only). Each drone
remembers the last track assigned to it. Drone i *switches* when it is
assigned track B while its last track A is now assigned to another drone j of
the same group (a formation; lone drones have group -1 and never switch). A
swap is an unordered pair {i, j} with such a switch in a scan, counted once a
scan: two tracks that exchange their drones make one swap, and so does a
track taken from i by j while i gets another track. A track lost and
replaced by a new one, or one that jumps to a drone of another group or to
clutter, is no swap (GOSPA counts those as misses and false tracks).

This is the identity switch of CLEAR MOT (Bernardin and Stiefelhagen, 2008),
narrowed to switches between drones of one group, and counted per pair of
drones rather than per drone.

>>> xy = [np.array([[0.0, 0.0], [400.0, 0.0]])] * 2  # two drones 400 m apart, two scans
>>> count_swaps(xy, xy, [["a", "b"], ["a", "b"]], np.array([0, 0]))  # labels kept
0
>>> count_swaps(xy, xy, [["a", "b"], ["b", "a"]], np.array([0, 0]))  # labels traded
1
>>> count_swaps(xy, xy, [["a", "b"], ["b", "a"]], np.array([-1, -1]))  # not a group
0
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from tocsin.sim.gospa import P, gospa_pairs
from tocsin.types import FloatArray, IntArray


def count_swaps(
    truth_xy: Sequence[FloatArray],
    est_xy: Sequence[FloatArray],
    est_ids: Sequence[Sequence[Hashable]],
    group: IntArray,
    c_m: float = 1000.0,
    p: float = P,
) -> int:
    """Track swaps between drones of one group over scans (see the module's text).

    Per scan: `truth_xy (N, 2)`, row i always drone i; `est_xy (M, 2)` the
    confirmed tracks and `est_ids (M,)` their ids, stable from scan to scan.
    `group (N,)` is each drone's group, -1 for a drone flying alone.
    """
    group = np.asarray(group, np.int64)
    last: list[Hashable | None] = [None] * len(group)
    swaps = 0
    for x, y, ids in zip(truth_xy, est_xy, est_ids, strict=True):
        rows, cols, _ = gospa_pairs(x, y, c_m, p)
        now = [ids[c] for c in cols.tolist()]
        holder = dict(zip(now, rows.tolist(), strict=True))  # track -> drone, this scan
        pairs = set()
        for i, b in zip(rows.tolist(), now, strict=True):
            a = last[i]
            j = holder.get(a) if a is not None and a != b else None
            if j is not None and group[i] >= 0 and group[j] == group[i]:
                pairs.add((min(i, j), max(i, j)))
        swaps += len(pairs)
        for i, b in zip(rows.tolist(), now, strict=True):
            last[i] = b
    return swaps
