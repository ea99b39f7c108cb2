"""Operators and their roles, for the routes that change the record (incidents).

Operators are listed in ``DATA/operators.json``, readable by the service only::

    {"officer-a": {"token_sha256": "<hex SHA-256 of the token>", "roles": ["report", "confirm"]}}

A request carries ``Authorization: Bearer <token>``; the file keeps only each
token's SHA-256, so a copy of it lets no one in. Roles:

- ``report``: register incidents and amend what is known of them;
- ``confirm``: confirm or retract incidents.

The operator's id is the ``by`` of every change they make. Without the file no
one may change anything; the file is read at each request, so operators are
added or removed without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

ROLES = ("report", "confirm")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@ -]{0,63}")
_HEX = re.compile(r"[0-9a-f]{64}")

bearer = HTTPBearer(auto_error=False, description="an operator's token (DATA/operators.json)")


class Denied(Exception):
    """A request without a known operator (401) or without the role it needs (403)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


@dataclass(frozen=True, slots=True, kw_only=True)
class Operator:
    id: str
    roles: frozenset[str]


def token_hash(token: str) -> str:
    """The hex SHA-256 that operators.json keeps of a token.

    >>> token_hash("correct horse battery staple")[:16]
    'c4bbcb1fbec99d65'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def read_json_object(path: Path, what: str, keys: str) -> dict:
    """A JSON object file of the service's own (operators, accounts); {} when absent.

    ValueError names the file: unreadable, not JSON, or not an object mapping keys.
    """
    try:
        doc = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: cannot read the {what}: {e}") from e
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: expected an object mapping {keys}")
    return doc


def load_operators(path: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """Operator id -> (token hash, roles); ValueError names the file, operator and field."""
    doc = read_json_object(path, "operators", "operator ids to their entries")
    ops = {}
    for oid, entry in doc.items():
        where = f"{path}: operator {oid!r}"
        if _ID.fullmatch(oid) is None:
            raise ValueError(f"{where}: the id must be 1-64 letters, digits, ' ', '.', '_', '@'")
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected an object with 'token_sha256' and 'roles'")
        digest, roles = entry.get("token_sha256"), entry.get("roles")
        if not isinstance(digest, str) or _HEX.fullmatch(digest) is None:
            raise ValueError(f"{where}: 'token_sha256' must be 64 lower-case hex digits")
        if not isinstance(roles, list) or not set(roles) <= set(ROLES):
            raise ValueError(f"{where}: 'roles' must be a list of {', '.join(ROLES)}")
        ops[oid] = (digest, frozenset(roles))
    return ops


def operator_of(path: Path, token: str | None) -> Operator:
    """The operator holding ``token``, or Denied (401)."""
    if not token:
        raise Denied(401, "an operator's token is required: Authorization: Bearer <token>")
    try:
        ops = load_operators(path)
    except ValueError as e:  # a broken file lets no one in, and says why in the log
        raise Denied(401, f"operators cannot be checked: {e}") from e
    digest = token_hash(token)
    found = None
    for oid, (want, roles) in ops.items():
        if hmac.compare_digest(want, digest):
            found = Operator(id=oid, roles=roles)
    if found is None:
        raise Denied(401, "the token is not that of any operator")
    return found


def require(request: Request, creds: HTTPAuthorizationCredentials | None, role: str) -> Operator:
    """The request's operator, if they hold ``role``; Denied otherwise."""
    path = Path(request.app.state.service.data_dir) / "operators.json"
    op = operator_of(path, creds.credentials if creds else None)
    if role not in op.roles:
        raise Denied(403, f"operator {op.id!r} lacks the role {role!r}")
    return op
