"""What the stored alert decisions and CAP messages leave, taken one event at a time.

A restart needs, of every ``alert_decided`` and ``cap_issued`` event in the log:
the alerts in force (the last decision of each zone and level, unless it was a
clear) with their rows, the last CAP sequence number, the message each alert in
force was last announced by (its next Update references it), and the newest
CAP messages for the feed with the level, event and zone count of their
decisions. ``DecisionFold`` keeps exactly that, and no more: messages that are
neither among the newest ``keep_caps`` nor announce an alert in force are
dropped, since CAP sequence numbers only grow along the log. ``to_dict`` and
``from_dict`` make a fold a snapshot (api/snapshot.py): a fold continued from a
snapshot ends where one that read every event from the start ends.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from tocsin.messages import AlertChange
from tocsin.publish.rows import change_to_row
from tocsin.store.base import Event, EventLog

KINDS = ("alert_decided", "cap_issued")
_TAG = {k: re.compile(rf"<{k}>([^<]*)</{k}>") for k in ("sent", "sender", "msgType", "status")}


@dataclass(frozen=True, slots=True, kw_only=True)
class CapEntry:
    """What the feed says of one CAP message."""

    seq: int
    identifier: str
    sent: str
    sender: str
    msg_type: str
    status: str
    level: str
    event: str
    zones: int


class DecisionFold:
    """The restart state of the decisions and CAP messages up to ``seq``, in log order."""

    def __init__(self, keep_caps: int = 200) -> None:
        if keep_caps < 1:
            raise ValueError(f"keep_caps must be at least 1, not {keep_caps}")
        self.keep_caps = keep_caps
        self.seq = 0  # every event up to this seq is taken
        self.cap_seq = 0  # the highest CAP sequence number seen
        # (zone, level) -> (t_s, payload) of the last decision, while not a clear; the
        # order is that of a dict assigned and popped by every decision in turn
        self.decided: dict[tuple[str, str], tuple[float, dict]] = {}
        self.caps: dict[str, CapEntry] = {}  # identifier -> entry (level, event, zones unset)
        self.uses: dict[str, tuple[int, str, str]] = {}  # identifier -> (zones, level, event)
        self.unsynced: list[int] = []  # CAP seqs whose files this process wrote since asked

    # --- taking events ----------------------------------------------------------------------

    def take(self, ev: Event) -> None:
        """Take one ``alert_decided`` or ``cap_issued`` event (others are ignored)."""
        p = ev.payload
        if ev.kind == "cap_issued":
            xml = p["xml"]
            tag = {k: (m.group(1) if (m := rx.search(xml)) else "") for k, rx in _TAG.items()}
            seq = int(p["seq"])
            self.caps[p["identifier"]] = CapEntry(
                seq=seq, identifier=p["identifier"], sent=tag["sent"], sender=tag["sender"],
                msg_type=tag["msgType"], status=tag["status"], level="", event="", zones=0,
            )  # fmt: skip
            self.cap_seq = max(self.cap_seq, seq)
        elif ev.kind == "alert_decided":
            key = (p["zone"], p["level"])
            if p["event"] == "clear":
                self.decided.pop(key, None)
            else:
                self.decided[key] = (ev.t_s, p)
            ident = p.get("cap")
            if ident is not None:
                zones = self.uses.get(ident, (0, "", ""))[0] + 1
                self.uses[ident] = (zones, p["level"], p["event"])
        self.seq = max(self.seq, ev.seq)

    def follow(self, log: EventLog, cap_dir: Path | None = None) -> int:
        """Take the log's events after ``seq``; return how many decisions they hold.

        With ``cap_dir``, the CAP file of each message taken is written there if it is
        missing (a crash came between storing a message and writing its file), and noted
        in ``unsynced``; without it, every message taken is noted (the caller wrote them).
        """
        upto = log.last_seq()
        n = 0
        for ev in log.read(KINDS, since_seq=self.seq):
            if ev.seq > upto:
                break
            self.take(ev)
            if ev.kind == "alert_decided":
                n += 1
            elif cap_dir is None:
                self.unsynced.append(int(ev.payload["seq"]))
            elif _write_missing(cap_dir, int(ev.payload["seq"]), ev.payload["xml"]):
                self.unsynced.append(int(ev.payload["seq"]))
            if len(self.caps) > 4 * self.keep_caps + 2 * len(self.decided) + 1000:
                self.prune()
        self.seq = max(self.seq, upto)
        return n

    def prune(self) -> None:
        """Drop the messages nothing will show or reference: neither among the newest
        ``keep_caps`` nor announcing an alert in force."""
        newest = sorted(self.caps.values(), key=lambda e: e.seq)[-self.keep_caps :]
        keep = {e.identifier for e in newest}
        keep.update(p.get("cap") for _, p in self.decided.values())
        # uses of messages not taken yet (a snapshot may fall between a step's decisions
        # and its messages) are kept too
        self.uses = {k: u for k, u in self.uses.items() if k in keep or k not in self.caps}
        self.caps = {k: e for k, e in self.caps.items() if k in keep}

    # --- what a restart gets --------------------------------------------------------------

    def in_force(self, exercise: bool) -> Iterator[AlertChange]:
        """The last decision of each (zone, level) in force, as changes."""
        for t_s, p in self.decided.values():
            yield AlertChange(
                t_s=t_s, zone=p["zone"], event=p["event"], level=p["level"],
                eta_s=p.get("eta_s"), tracks=tuple(p.get("tracks") or ()),
                cause=p.get("cause", "tracks"), exercise=exercise,
            )  # fmt: skip

    def rows(self, exercise: bool) -> dict[tuple[str, str], dict]:
        """(zone, level) -> the ``alerts.jsonl`` row of each alert in force."""
        return {(c.zone, c.level): change_to_row(c, self.decided[(c.zone, c.level)][1].get("cap"))
                for c in self.in_force(exercise)}  # fmt: skip

    def refs(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        """(zone, level) -> (sender, identifier, sent) of the last message of each alert."""
        out = {}
        for key, (_, p) in self.decided.items():
            entry = self.caps.get(p.get("cap"))
            if entry is not None:
                out[key] = (entry.sender, entry.identifier, entry.sent)
        return out

    def feed(self) -> list[CapEntry]:
        """The newest ``keep_caps`` messages in sequence order, with their decisions' level,
        event (of the last one) and zone count."""
        newest = sorted(self.caps.values(), key=lambda e: e.seq)[-self.keep_caps :]
        out = []
        for e in newest:
            use = self.uses.get(e.identifier)
            if use is not None:
                e = replace(e, zones=use[0], level=use[1], event=use[2])
            out.append(e)
        return out

    # --- as a snapshot ----------------------------------------------------------------------

    def to_dict(self) -> dict:
        """A JSON object of the fold (pruned first); ``from_dict`` reads it back."""
        self.prune()
        return {
            "seq": self.seq,
            "cap_seq": self.cap_seq,
            "keep_caps": self.keep_caps,
            "decided": [[t_s, p] for t_s, p in self.decided.values()],
            "caps": [
                [e.identifier, e.seq, e.sent, e.sender, e.msg_type, e.status]
                for e in self.caps.values()
            ],
            "uses": [[k, *u] for k, u in self.uses.items()],
        }

    @classmethod
    def from_dict(cls, d: dict) -> DecisionFold:
        """The fold ``to_dict`` gave; KeyError, TypeError or ValueError if it is not one."""
        fold = cls(int(d["keep_caps"]))
        fold.seq, fold.cap_seq = int(d["seq"]), int(d["cap_seq"])
        for t_s, p in d["decided"]:
            fold.decided[(p["zone"], p["level"])] = (float(t_s), p)
        for ident, seq, sent, sender, msg_type, status in d["caps"]:
            fold.caps[ident] = CapEntry(seq=int(seq), identifier=ident, sent=sent, sender=sender,
                                        msg_type=msg_type, status=status, level="", event="",
                                        zones=0)  # fmt: skip
        for ident, zones, level, event in d["uses"]:
            fold.uses[ident] = (int(zones), level, event)
        return fold


def _write_missing(cap_dir: Path, seq: int, xml: str) -> bool:
    """Write CAP message ``seq``'s file if it is missing; True if it was written."""
    path = os.path.join(cap_dir, f"{seq}.xml")  # os.path: a stat per message, no more
    if os.path.exists(path):
        return False
    with open(path, "wb") as f:
        f.write(xml.encode("utf-8"))
    return True
