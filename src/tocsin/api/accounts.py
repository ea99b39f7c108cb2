"""Console accounts: names, roles and scrypt password hashes in ``DATA/accounts.json``.

::

    {"ann": {"role": "operator", "password": "scrypt$16384$8$1$<salt b64>$<hash b64>"}}

Roles, each including what the one before may do:

- ``viewer``: sees the live picture, drafts, alerts in force and sensor health;
- ``operator``: drafts manual alerts, approves another's draft, cancels and
  corrects manual alerts, starts and stops drills;
- ``supervisor``: as an operator, and discards anyone's draft.

No password is ever stored or logged in clear; the file is read at each
login, so accounts are added (``tocsin operator add``) without a restart.
These accounts are apart from the incident API's bearer tokens
(``operators.json``, ``operators.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from tocsin.api.operators import read_json_object

ROLES = ("viewer", "operator", "supervisor")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD = 10
_N, _R, _P = 2**14, 8, 1  # scrypt cost: about 16 MiB and tens of milliseconds a check
_DUMMY = f"scrypt${_N}${_R}${_P}$" + "A" * 24 + "$" + "A" * 44  # equal work for unknown names


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    name: str
    role: str

    def can(self, role: str) -> bool:
        """Whether this account holds ``role`` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """The stored form of a password: scrypt with a random 16-byte salt.

    >>> h = hash_password("correct horse battery", salt=bytes(16))
    >>> h.split("$")[:4], check_password("correct horse battery", h)
    (['scrypt', '16384', '8', '1'], True)
    """
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (in constant time)."""
    try:
        kind, n, r, p, salt, want = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), dklen=32)  # fmt: skip
        return hmac.compare_digest(got, base64.b64decode(want))
    except (ValueError, TypeError):
        return False


def load_accounts(path: Path) -> dict[str, dict]:
    """Name -> entry; ValueError names the file and the account that is wrong."""
    doc = read_json_object(path, "accounts", "names to accounts")
    for name, entry in doc.items():
        where = f"{path}: account {name!r}"
        if NAME.fullmatch(name) is None:
            raise ValueError(f"{where}: a name is 1-64 letters, digits, '.', '_', '@', '-'")
        if not isinstance(entry, dict) or entry.get("role") not in ROLES:
            raise ValueError(f"{where}: 'role' must be one of {', '.join(ROLES)}")
        if not str(entry.get("password", "")).startswith("scrypt$"):
            raise ValueError(f"{where}: 'password' must be a scrypt hash")
    return doc


def add_account(path: Path, name: str, role: str, password: str, *, replace: bool = False):
    """Add (or with ``replace``, reset) an account; ValueError says what is wrong."""
    if NAME.fullmatch(name) is None:
        raise ValueError("a name is 1-64 letters, digits, '.', '_', '@', '-'")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
    doc = load_accounts(path)
    if name in doc and not replace:
        raise ValueError(f"account {name!r} exists (use --replace to reset it)")
    doc[name] = {"role": role, "password": hash_password(password)}
    _write(Path(path), doc)


def remove_account(path: Path, name: str) -> None:
    doc = load_accounts(path)
    if doc.pop(name, None) is None:
        raise ValueError(f"no account {name!r}")
    _write(Path(path), doc)


def _write(path: Path, doc: dict) -> None:
    """Replace the file at once, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    tmp.replace(path)


def authenticate(path: Path, name: str, password: str) -> Account | None:
    """The account if the name and password match; None otherwise (same work either way)."""
    try:
        entry = load_accounts(path).get(name)
    except ValueError:
        entry = None
    ok = check_password(password, entry["password"] if entry else _DUMMY)
    return Account(name=name, role=entry["role"]) if ok and entry else None
