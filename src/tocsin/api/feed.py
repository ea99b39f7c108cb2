"""The CAP Atom feed: one entry per CAP message, newest first, linking the message itself."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from tocsin.api.restore import CapEntry

ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_TYPE = "application/cap+xml"
_TITLES = {
    ("warning", "onset"): "Drone attack warning: take shelter",
    ("advisory", "onset"): "Drone attack advisory: be ready to shelter",
    ("warning", "update"): "Drone attack warning updated",
    ("advisory", "update"): "Drone attack advisory updated",
    ("warning", "clear"): "All clear (warning ended)",
    ("advisory", "clear"): "All clear (advisory ended)",
}


def cap_feed(entries: Sequence[CapEntry], base_url: str, title: str, feed_id: str) -> bytes:
    """An Atom 1.0 document of ``entries``; ``base_url`` ends without a slash.

    >>> e = CapEntry(seq=7, identifier="urn:tocsin:r:7", sent="2026-11-24T21:00:00+00:00",
    ...              sender="a@b", msg_type="Alert", status="Exercise", level="warning",
    ...              event="onset", zones=3)
    >>> b'href="http://h/v1/cap/7.xml"' in cap_feed([e], "http://h", "T", "urn:tocsin:r")
    True
    """
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(_q("feed"))
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    newest = max((e.sent for e in entries), default=None)
    _sub(feed, "updated", newest or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"))
    ET.SubElement(feed, _q("link"), rel="self", href=f"{base_url}/v1/cap/feed.atom")
    author = ET.SubElement(feed, _q("author"))
    _sub(author, "name", entries[-1].sender if entries else "Tocsin")
    for e in sorted(entries, key=lambda e: e.seq, reverse=True):
        entry = ET.SubElement(feed, _q("entry"))
        _sub(entry, "id", e.identifier)
        head = _TITLES.get((e.level, e.event), "Drone attack alert")
        mark = "" if e.status == "Actual" else f"[{e.status.upper()}] "
        _sub(entry, "title", f"{mark}{head} ({e.zones} zones)")
        _sub(entry, "updated", e.sent)
        _sub(entry, "published", e.sent)
        href = f"{base_url}/v1/cap/{e.seq}.xml"
        ET.SubElement(entry, _q("link"), rel="alternate", type=CAP_TYPE, href=href)
        _sub(entry, "summary", f"CAP {e.msg_type}, status {e.status}, {e.level} {e.event}")
        ET.SubElement(entry, _q("content"), type=CAP_TYPE, src=href)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _q(tag: str) -> str:
    return f"{{{ATOM_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, _q(tag))
    el.text = text
    return el
