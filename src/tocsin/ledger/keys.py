"""The region's Ed25519 signing key and signed chain heads.

A head says "the log up to entry ``seq`` has hash ``hash``", at time ``t``,
signed with the region's key. The signature covers the canonical JSON of
``{hash, key, seq, t}`` after the prefix ``HEAD_CONTEXT``, so a signature made
for anything else cannot pass for a head. ``key`` is the key id: the first 16
hex digits of the SHA-256 of the raw public key.

Keys are stored as PEM files: the private key in PKCS #8 (file mode 0600),
the public key, which anyone may have, in SubjectPublicKeyInfo.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tocsin.errors import StoreError
from tocsin.store.codec import payload_to_json

HEAD_CONTEXT = b"tocsin-log-head-v1\n"


def key_id(public: Ed25519PublicKey) -> str:
    """The short id of a public key (16 hex digits)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_key(private_path: Path, public_path: Path | None = None) -> Ed25519PrivateKey:
    """Make a new key; write it (0600) and its public half (default: ``<private>.pub``).

    Refuses to overwrite an existing private key: losing it breaks the signed record.
    """
    private_path = Path(private_path)
    public_path = Path(public_path) if public_path else private_path.with_suffix(".pub")
    if private_path.exists():
        raise StoreError(f"key file {private_path} exists; refusing to overwrite a signing key")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public_path.write_bytes(public_pem(key.public_key()))
    return key


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file; StoreError names the file if it is not one."""
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as e:
        raise StoreError(f"cannot load signing key {path}: {e}") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise StoreError(f"signing key {path} is not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file (a private key file gives its public half)."""
    data = Path(path).read_bytes() if Path(path).is_file() else None
    if data is None:
        raise StoreError(f"cannot load public key {path}: no such file")
    if b"PRIVATE KEY" in data:
        return load_private_key(path).public_key()
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as e:
        raise StoreError(f"cannot load public key {path}: {e}") from e
    if not isinstance(key, Ed25519PublicKey):
        raise StoreError(f"public key {path} is not an Ed25519 key")
    return key


def _signed_bytes(seq: int, hash_hex: str, t: str, kid: str) -> bytes:
    body = payload_to_json({"hash": hash_hex, "key": kid, "seq": seq, "t": t})
    return HEAD_CONTEXT + body.encode("ascii")


def sign_head(key: Ed25519PrivateKey, seq: int, hash_hex: str, t: str) -> dict:
    """A signed head line (as a dict) for the log up to ``seq``."""
    kid = key_id(key.public_key())
    sig = key.sign(_signed_bytes(seq, hash_hex, t, kid))
    return {
        "type": "head",
        "seq": seq,
        "hash": hash_hex,
        "t": t,
        "key": kid,
        "sig": base64.b64encode(sig).decode("ascii"),
    }


def head_is_signed_by(head: dict, public: Ed25519PublicKey) -> bool:
    """Whether a head's signature is valid for this public key."""
    try:
        sig = base64.b64decode(head["sig"], validate=True)
        public.verify(sig, _signed_bytes(head["seq"], head["hash"], head["t"], head["key"]))
    except (InvalidSignature, KeyError, TypeError, ValueError, binascii.Error, StoreError):
        return False
    return True
