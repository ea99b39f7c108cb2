"""Entries of the transparent log and their hashes.

An entry is the canonical JSON of ``{seq, t, kind, payload, prev_hash}``
(keys sorted, no spaces, ASCII escapes: the event log's own encoding); its
hash is the SHA-256 of those bytes in lower-case hex. ``prev_hash`` is the
hash of the entry before it, ``GENESIS`` for the first, so each entry commits
to the whole log before it:

>>> a = entry_hash(1, "2026-11-24T21:00:00.000Z", "cap_issued", {"n": 1}, GENESIS)
>>> b = entry_hash(1, "2026-11-24T21:00:00.000Z", "cap_issued", {"n": 2}, GENESIS)
>>> len(a), a != b
(64, True)
"""

from __future__ import annotations

import hashlib
import re

from tocsin.store.codec import check_kind, payload_to_json

GENESIS = "0" * 64
HASH_RE = re.compile(r"[0-9a-f]{64}")
LINE_HEAD = '{"hash":"'
LINE_TAIL = ',"type":"entry"}'


def entry_bytes(seq: int, t: str, kind: str, payload: dict, prev_hash: str) -> bytes:
    """The canonical bytes an entry's hash is taken over; ValueError names a bad field."""
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError(f"entry field 'seq' must be an integer from 1, not {seq!r}")
    if not isinstance(t, str) or not t:
        raise ValueError(f"entry {seq}: field 't' must be an ISO 8601 string, not {t!r}")
    if not isinstance(prev_hash, str) or HASH_RE.fullmatch(prev_hash) is None:
        raise ValueError(f"entry {seq}: field 'prev_hash' must be 64 hex digits")
    try:
        check_kind(kind)
        body = payload_to_json(
            {"kind": kind, "payload": payload, "prev_hash": prev_hash, "seq": seq, "t": t}
        )
    except Exception as e:  # StoreError from the codec: same message, as a field error
        raise ValueError(f"entry {seq}: {e}") from None
    return body.encode("ascii")


def entry_hash(seq: int, t: str, kind: str, payload: dict, prev_hash: str) -> str:
    """SHA-256 (hex) of the entry's canonical bytes."""
    return hashlib.sha256(entry_bytes(seq, t, kind, payload, prev_hash)).hexdigest()


def entry_line(seq: int, t: str, kind: str, payload: dict, prev_hash: str) -> tuple[str, str]:
    """One entry as a line of the exported log (without the newline) and its hash.

    The line is the canonical JSON of the entry with ``hash`` and ``type`` added; as keys
    sort, it is ``{"hash":"<hex>",`` + the hashed bytes without their braces +
    ``,"type":"entry"}``, so a verifier can hash the very bytes it reads.
    """
    body = entry_bytes(seq, t, kind, payload, prev_hash)
    h = hashlib.sha256(body).hexdigest()
    return f'{LINE_HEAD}{h}",{body[1:-1].decode("ascii")}{LINE_TAIL}', h


def hashed_bytes(line: bytes) -> tuple[str, bytes] | None:
    """The hash an entry line states and the bytes it must be the SHA-256 of; None when the
    line is not in the canonical form ``entry_line`` writes.

    >>> text, h = entry_line(1, "2026-11-24T21:00:00.000Z", "cap_issued", {}, GENESIS)
    >>> stated, body = hashed_bytes(text.encode())
    >>> stated == h == hashlib.sha256(body).hexdigest()
    True
    """
    head, tail = LINE_HEAD.encode(), LINE_TAIL.encode()
    n = len(head)
    if not (line.startswith(head) and line.endswith(tail) and line[n + 64 : n + 66] == b'",'):
        return None
    return line[n : n + 64].decode("ascii", "replace"), b"{" + line[n + 66 : -len(tail)] + b"}"
