"""CAP 1.2 messages for alert changes (spec §7), and their schema validation.

One message announces a group of ``AlertChange``s that share an instant, a
level and an event. Drills (``Exercise``) and system tests (``Test``) are
marked in every language; a change made as an exercise can never be encoded
as ``Actual``, nor a real one as a drill or test.
"""

from __future__ import annotations

import functools
import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import xmlschema

from tocsin.alert import text
from tocsin.errors import AlertError
from tocsin.geo.region import Region
from tocsin.messages import AlertChange
from tocsin.times import format_cap_time

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
STATUSES = text.STATUSES
MSG_TYPES = ("Alert", "Update", "Cancel")
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_CAP_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d")
_BAD_ID_CHARS = re.compile(r"[\s,<&]")  # CAP: no spaces, commas or restricted characters


@dataclass(frozen=True, slots=True, kw_only=True)
class CapSettings:
    """How this deployment signs and words its CAP messages."""

    sender: str  # the operating authority's address, e.g. "tocsin@belgorod.example"
    region_id: str  # used in identifiers: urn:tocsin:<region_id>:<seq>
    languages: tuple[str, ...] = ("ru-RU", "en-US")
    event_code: str = "drone"  # selects the event name and wording in text.py
    web: str | None = None
    contact: str | None = None
    expires_s: int = 1800  # a message lapses this long after it is sent unless renewed

    def __post_init__(self) -> None:
        for name in ("sender", "region_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value or _BAD_ID_CHARS.search(value):
                raise ValueError(f"{name} must be non-empty, without spaces, ',', '<' or '&'")
        if not self.languages or len(set(self.languages)) != len(self.languages):
            raise ValueError("languages must be a non-empty tuple of distinct language tags")
        for lang in self.languages:
            text.language_key(lang)
        if self.event_code not in text.EVENTS:
            raise ValueError(f"no texts for event_code {self.event_code!r}")
        if isinstance(self.expires_s, bool) or not isinstance(self.expires_s, int):
            raise ValueError("expires_s must be a whole number of seconds")
        if self.expires_s <= 0:
            raise ValueError(f"expires_s must be positive, not {self.expires_s}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CapMessage:
    """One encoded CAP 1.2 message and what it announces."""

    identifier: str
    sent: str  # CAP time of issue
    seq: int
    msg_type: str  # Alert | Update | Cancel
    status: str  # Actual | Exercise | Test
    xml: bytes  # UTF-8 with an XML declaration
    zone_ids: tuple[str, ...]
    level: str  # advisory | warning
    event: str  # the AlertChange event: onset | update | clear


def changes_to_cap(
    changes: Sequence[AlertChange],
    *,
    seq: int,
    region: Region,
    settings: CapSettings,
    references: Sequence[tuple[str, str, str]] = (),
    status: str = "Exercise",
    msg_type: str | None = None,
) -> CapMessage:
    """Encode changes sharing one instant, level and event as one CAP 1.2 message.

    ``references`` are the ``(sender, identifier, sent)`` of the messages an
    Update or Cancel amends. ``msg_type`` defaults to Alert for an onset and
    Update otherwise; pass "Cancel" for an operator's withdrawal.
    Raises AlertError for a group or arguments that cannot be encoded.
    """
    t_s, level, event = _check_group(changes, status)
    msg_type = _msg_type(event, msg_type)
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise AlertError(f"seq must be a whole number >= 0, not {seq!r}")
    identifier = f"urn:tocsin:{settings.region_id}:{seq}"
    refs = _references(references, identifier)
    if msg_type != "Alert" and not refs:
        raise AlertError(f"a {msg_type} message needs <references> to what it amends")
    zone_ids = tuple(c.zone for c in changes)
    index = region.zones.index(zone_ids)
    if (index < 0).any():
        unknown = [z for z, i in zip(zone_ids, index, strict=True) if i < 0]
        raise AlertError(f"zones not in region {region.name!r}: {', '.join(unknown[:5])}")

    sent = format_cap_time(t_s)
    etas = [c.eta_s for c in changes if c.eta_s is not None]
    eta_s = max(0.0, min(etas)) if etas else None  # 0: a threat is already there
    n_tracks = len({tr for c in changes for tr in c.tracks})
    kind = "cancel" if msg_type == "Cancel" else "clear" if event == "clear" else "alert"
    grades = _grades(level, kind, eta_s)

    head = [
        _text_el("identifier", identifier),
        _text_el("sender", settings.sender),
        _text_el("sent", sent),
        _text_el("status", status),
        _text_el("msgType", msg_type),
        _text_el("scope", "Public"),
    ]
    note = text.note_text(settings.languages, status)
    if note:
        head.append(_text_el("note", note))
    if refs:
        head.append(_text_el("references", refs))
    areas = "".join(_area(region, int(i)) for i in index)  # shared by every <info>
    expires = format_cap_time(math.floor(t_s) + settings.expires_s)
    infos = []
    for lang in settings.languages:
        words = text.info_text(
            lang,
            level=level,
            kind=kind,
            status=status,
            eta_s=eta_s,
            event_code=settings.event_code,
        )
        info = [
            "<info>",
            _text_el("language", lang),
            _text_el("category", "Security"),
            _text_el("event", words.event),
            _text_el("responseType", grades[0]),
            _text_el("urgency", grades[1]),
            _text_el("severity", grades[2]),
            _text_el("certainty", grades[3]),
            _text_el("expires", expires),
            _text_el("senderName", words.sender_name),
            _text_el("headline", words.headline),
            _text_el("description", words.description),
            _text_el("instruction", words.instruction),
        ]
        if settings.web:
            info.append(_text_el("web", settings.web))
        if settings.contact:
            info.append(_text_el("contact", settings.contact))
        if eta_s is not None:
            info.append(_parameter("parameter", "ETA_S", str(math.floor(eta_s))))
        info.append(_parameter("parameter", "TRACKS", str(n_tracks)))
        info.append(areas)
        info.append("</info>")
        infos.append("".join(info))
    body = "".join((_ROOT_OPEN, *head, *infos, "</alert>"))
    xml = (_XML_DECLARATION + body).encode("utf-8")
    return CapMessage(
        identifier=identifier,
        sent=sent,
        seq=seq,
        msg_type=msg_type,
        status=status,
        xml=xml,
        zone_ids=zone_ids,
        level=level,
        event=event,
    )


def validate_cap(xml: bytes) -> None:
    """Check a message against the official OASIS CAP 1.2 schema; AlertError if invalid."""
    try:
        _schema().validate(io.BytesIO(xml))
    except xmlschema.XMLSchemaValidationError as e:
        raise AlertError(f"not valid CAP 1.2: {e.reason} (at {e.path})") from e
    except (xmlschema.XMLResourceError, ET.ParseError) as e:
        raise AlertError(f"not valid CAP 1.2: not well-formed XML: {e}") from e


@functools.cache
def _schema() -> xmlschema.XMLSchema:
    xsd = resources.files("tocsin.alert") / "schema" / "CAP-v1.2.xsd"
    with resources.as_file(xsd) as path:
        return xmlschema.XMLSchema(str(path))


def _check_group(changes: Sequence[AlertChange], status: str) -> tuple[float, str, str]:
    if not changes:
        raise AlertError("a CAP message needs at least one alert change")
    first = changes[0]
    for c in changes[1:]:
        if (c.t_s, c.level, c.event) != (first.t_s, first.level, first.event):
            raise AlertError(
                "changes of one CAP message must share t, level and event: "
                f"{first.t_s}/{first.level}/{first.event} vs {c.t_s}/{c.level}/{c.event}"
            )
    if len({c.zone for c in changes}) != len(changes):
        raise AlertError("a zone appears twice in one CAP message")
    if status not in STATUSES:
        raise AlertError(f"status must be one of {STATUSES}, not {status!r}")
    drill = {c.exercise for c in changes}
    if len(drill) > 1:
        raise AlertError("exercise and real changes cannot share one CAP message")
    if drill == {True} and status == "Actual":
        raise AlertError("exercise changes can never be sent as Actual")
    if drill == {False} and status != "Actual":
        raise AlertError(f"real changes must be sent as Actual, not {status}")
    return first.t_s, first.level, first.event


def _msg_type(event: str, msg_type: str | None) -> str:
    if msg_type is None:
        return "Alert" if event == "onset" else "Update"
    if msg_type not in MSG_TYPES:
        raise AlertError(f"msg_type must be one of {MSG_TYPES}, not {msg_type!r}")
    if msg_type == "Alert" and event != "onset":
        raise AlertError(f"an {event} is announced by an Update, not an Alert")
    return msg_type


def _references(references: Sequence[tuple[str, str, str]], identifier: str) -> str:
    out = []
    for ref in references:
        if len(ref) != 3 or not all(isinstance(p, str) and p for p in ref):
            raise AlertError(f"a reference is (sender, identifier, sent), not {ref!r}")
        if any(_BAD_ID_CHARS.search(p) for p in ref):
            raise AlertError(f"a reference cannot hold spaces, ',', '<' or '&': {ref!r}")
        if not _CAP_TIME.fullmatch(ref[2]):
            raise AlertError(f"a reference's sent must be a CAP time, not {ref[2]!r}")
        if ref[1] == identifier:
            raise AlertError(f"message {identifier} cannot reference itself")
        out.append(",".join(ref))
    return " ".join(out)


def _grades(level: str, kind: str, eta_s: float | None) -> tuple[str, str, str, str]:
    """responseType, urgency, severity and certainty (spec §7)."""
    if kind == "cancel":  # withdrawn as mistaken: the threat is not expected to occur
        return "AllClear", "Past", "Minor", "Unlikely"
    if kind == "clear":
        return "AllClear", "Past", "Minor", "Observed"
    if level == "warning":  # Observed when a threat is already there, else predicted
        return "Shelter", "Immediate", "Extreme", "Observed" if eta_s == 0 else "Likely"
    return "Prepare", "Expected", "Severe", "Likely"


# The XML is written as text, element by element, exactly as ElementTree would serialise
# the same tree with CAP as the default namespace (no indentation, ``<tag />`` when empty,
# ``&``, ``<`` and ``>`` escaped in text): the same bytes for a fraction of the time.
_ROOT_OPEN = f'<alert xmlns="{CAP_NS}">'
_AREAS: dict[tuple[str, str], str] = {}  # (zone id, area description) -> the <area> element


def _area(region: Region, i: int) -> str:
    zones = region.zones
    zid = str(zones.ids[i])
    desc = str(zones.names[i] or zones.ids[i])
    key = (zid, desc)
    area = _AREAS.get(key)
    if area is None:  # an H3 cell is unique worldwide: its polygon is the same in any region
        polygon = " ".join(f"{lat:.6f},{lon:.6f}" for lat, lon in zones.boundary(i))
        area = "".join(
            (
                "<area>",
                _text_el("areaDesc", desc),
                _text_el("polygon", polygon),
                _parameter("geocode", "H3", zid),
                "</area>",
            )
        )
        _AREAS[key] = area
    return area


def _parameter(tag: str, name: str, value: str) -> str:
    return f"<{tag}>{_text_el('valueName', name)}{_text_el('value', value)}</{tag}>"


def _text_el(tag: str, value: str) -> str:
    """One element holding text, escaped as ElementTree escapes element text.

    >>> _text_el("headline", "A & B <now>"), _text_el("note", "")
    ('<headline>A &amp; B &lt;now&gt;</headline>', '<note />')
    """
    if not value:
        return f"<{tag} />"
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<{tag}>{value}</{tag}>"
