"""The transparent log: a hash chain over every CAP message and incident change,
with heads signed by the region's Ed25519 key, and its verifier."""

from tocsin.ledger.chain import CHAINED_KINDS, Ledger, LedgerBusy
from tocsin.ledger.keys import generate_key, key_id, load_private_key, load_public_key
from tocsin.ledger.verify import Problem, Verdict, verify_lines

__all__ = [
    "CHAINED_KINDS",
    "Ledger",
    "LedgerBusy",
    "Problem",
    "Verdict",
    "generate_key",
    "key_id",
    "load_private_key",
    "load_public_key",
    "verify_lines",
]
