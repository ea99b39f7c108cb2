"""Check a downloaded copy of the transparent log end to end.

``verify_lines`` reads the log line by line and stops at the first thing that
is wrong: a line that is not JSON, an entry whose content does not match its
hash (altered), an entry that is not the one due next (removed or
reordered), an entry that does not commit to the one before it, or a head
whose signature fails or whose hash differs from the entries it signs. Entries
after the last signed head verify as a chain but are reported as unsigned:
a tail cut off after a head cannot be told from a log that ends there, so the
head's time tells the reader how recent the signed part is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tocsin.ledger.entry import GENESIS, HASH_RE, hashed_bytes
from tocsin.ledger.keys import head_is_signed_by, key_id


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """The first place where the copy departs from a true log."""

    line: int  # 1-based line of the file
    seq: int  # the entry due at that line (or the head's entry)
    reason: str

    def __str__(self) -> str:
        return f"line {self.line} (entry {self.seq}): {self.reason}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    entries: int
    heads: int
    signed_seq: int  # entries 1..signed_seq are covered by a valid signed head
    signed_t: str | None  # time of the last valid head
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def unsigned(self) -> int:
        return self.entries - self.signed_seq


class _Bad(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def verify_lines(lines: Iterable[bytes | str], public: Ed25519PublicKey) -> Verdict:
    """Verify the log's lines against the region's public key."""
    kid = key_id(public)
    hashes: list[str] = []
    heads, signed_seq, signed_t = 0, 0, None
    number = 0
    for number, raw in enumerate(lines, 1):
        due = len(hashes) + 1
        raw = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw).rstrip(b"\r\n")
        try:
            doc = _DECODER.decode(raw.decode("utf-8"))
            if not isinstance(doc, dict):
                raise _Bad("not a JSON object: the line was altered")
            if doc.get("type") == "entry":
                hashes.append(_check_entry(doc, raw, hashes))
            elif doc.get("type") == "head":
                _check_head(doc, hashes, kid, public, signed_seq)
                heads, signed_seq, signed_t = heads + 1, doc["seq"], doc["t"]
            else:
                raise _Bad(f"unknown line type {doc.get('type')!r}: the line was altered")
        except _Bad as bad:
            seq = doc["seq"] if _is_head(doc) and isinstance(doc.get("seq"), int) else due
            return _verdict(
                hashes,
                heads,
                signed_seq,
                signed_t,
                Problem(line=number, seq=seq, reason=bad.reason),
            )
        except ValueError as e:
            problem = Problem(
                line=number, seq=due, reason=f"not valid JSON ({e}): the line was altered"
            )
            return _verdict(hashes, heads, signed_seq, signed_t, problem)
    return _verdict(hashes, heads, signed_seq, signed_t, None)


def _is_head(doc: object) -> bool:
    return isinstance(doc, dict) and doc.get("type") == "head"


def _verdict(hashes, heads, signed_seq, signed_t, problem) -> Verdict:
    return Verdict(
        entries=len(hashes),
        heads=heads,
        signed_seq=signed_seq,
        signed_t=signed_t,
        problem=problem,
    )


def _no_repeats(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object whose keys are all distinct (a repeated key could hide a value)."""
    doc = dict(pairs)
    if len(doc) != len(pairs):
        raise _Bad("a key is repeated in one object: the line was altered")
    return doc


_DECODER = json.JSONDecoder(object_pairs_hook=_no_repeats)


def _check_entry(doc: dict, raw: bytes, hashes: list[str]) -> str:
    due = len(hashes) + 1
    prev = hashes[-1] if hashes else GENESIS
    split = hashed_bytes(raw)
    if split is None:
        raise _Bad("the entry is not in the form the log writes: the line was altered")
    stated, body = split
    seq, t, kind = doc.get("seq"), doc.get("t"), doc.get("kind")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise _Bad("malformed entry: 'seq' is not a whole number from 1: the line was altered")
    if not (isinstance(t, str) and isinstance(kind, str) and isinstance(doc.get("payload"), dict)):
        raise _Bad("malformed entry: 't', 'kind' or 'payload' is missing: the line was altered")
    if not isinstance(doc.get("prev_hash"), str) or HASH_RE.fullmatch(doc["prev_hash"]) is None:
        raise _Bad("malformed entry: 'prev_hash' is not 64 hex digits: the line was altered")
    h = hashlib.sha256(body).hexdigest()
    if h != stated:
        raise _Bad("its content does not match its hash: the entry was altered")
    if seq > due:
        raise _Bad(f"entry {due} is missing (this line holds entry {seq}): removed or reordered")
    if seq < due:
        raise _Bad(f"entry {seq} appears again after entry {due - 1}: reordered or repeated")
    if doc["prev_hash"] != prev:
        raise _Bad(
            f"it does not commit to entry {due - 1} as found here: "
            "an earlier entry was altered, removed or reordered"
        )
    return h


def _check_head(
    doc: dict, hashes: list[str], kid: str, public: Ed25519PublicKey, signed_seq: int
) -> None:
    seq, h = doc.get("seq"), doc.get("hash")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise _Bad("malformed head: 'seq' is not a whole number")
    if not isinstance(h, str) or HASH_RE.fullmatch(h) is None or not isinstance(doc.get("t"), str):
        raise _Bad("malformed head: 'hash' or 't' is missing or malformed")
    if doc.get("key") != kid:
        raise _Bad(f"head signed with key {doc.get('key')!r}, not the given key {kid}")
    if not head_is_signed_by(doc, public):
        raise _Bad("the head's signature is not valid for the given key: forged or altered")
    if seq > len(hashes):
        raise _Bad(f"signed head for entry {seq}, but only {len(hashes)} entries precede it")
    if seq < signed_seq:
        raise _Bad(f"signed head for entry {seq} after one for entry {signed_seq}: reordered")
    if (hashes[seq - 1] if seq else GENESIS) != h:
        raise _Bad(
            f"the entries up to {seq} are not the ones that were signed: "
            "an entry before this head was altered, removed or reordered"
        )
