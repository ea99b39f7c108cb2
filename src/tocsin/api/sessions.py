"""Console sessions: kept on the server, ended by logout, idleness or age; a CSRF token each.

The browser holds only an opaque random id in an HttpOnly, SameSite=Strict
cookie (Secure over HTTPS). Every state-changing request must also carry the
session's CSRF token in ``X-CSRF-Token`` and, when the browser sends one, an
``Origin`` of this host. Repeated failed logins of one name are slowed down.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tocsin.api.accounts import Account

COOKIE = "tocsin_session"
CSRF_HEADER = "x-csrf-token"


@dataclass(slots=True, kw_only=True)
class Session:
    id: str
    account: Account
    csrf: str
    started_s: float
    seen_s: float


@dataclass
class Sessions:
    """Sessions by id; one lasts ``idle_s`` past its last use and ``max_s`` at most."""

    idle_s: float = 900.0
    max_s: float = 8 * 3600.0
    max_failures: int = 5  # failed logins of one name within failure_window_s before a lockout
    failure_window_s: float = 300.0
    clock: Callable[[], float] = time.time
    _by_id: dict[str, Session] = field(default_factory=dict)
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, account: Account) -> Session:
        now = self.clock()
        s = Session(id=secrets.token_urlsafe(32), account=account,
                    csrf=secrets.token_urlsafe(32), started_s=now, seen_s=now)  # fmt: skip
        with self._lock:
            self._purge(now)
            self._by_id[s.id] = s
            self._failures.pop(account.name, None)
        return s

    def get(self, sid: str | None) -> Session | None:
        """The live session with this id, its idle clock restarted; None if none or expired."""
        if not sid:
            return None
        now = self.clock()
        with self._lock:
            s = self._by_id.get(sid)
            if s is None:
                return None
            if now - s.seen_s > self.idle_s or now - s.started_s > self.max_s:
                del self._by_id[sid]
                return None
            s.seen_s = now
            return s

    def close(self, sid: str) -> Session | None:
        with self._lock:
            return self._by_id.pop(sid, None)

    def expires_s(self, s: Session) -> float:
        return min(s.seen_s + self.idle_s, s.started_s + self.max_s)

    def locked(self, name: str) -> bool:
        """Whether logins of ``name`` are refused for now after too many failures."""
        now = self.clock()
        with self._lock:
            recent = [t for t in self._failures.get(name, []) if now - t < self.failure_window_s]
            self._failures[name] = recent
            return len(recent) >= self.max_failures

    def failed(self, name: str) -> None:
        with self._lock:
            self._failures.setdefault(name, []).append(self.clock())

    def _purge(self, now: float) -> None:
        for sid in [k for k, s in self._by_id.items()
                    if now - s.seen_s > self.idle_s or now - s.started_s > self.max_s]:  # fmt: skip
            del self._by_id[sid]

    def __len__(self) -> int:
        return len(self._by_id)


def csrf_ok(session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf, token)
