"""Jobs for the engine thread, queued by the service's other threads.

The console desk and the record keeper change state that only the engine
thread may touch (the engine, the event log, the incident registry). Their
requests become jobs, run after the next stored step; each job's result or
error comes back through its future. Once the queue is closed, jobs are
refused rather than lost silently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future


class JobQueue:
    """Jobs waiting for the engine thread, each with the future that answers it."""

    def __init__(self, refusal: Callable[[str], Exception], stopping: str, stopped: str) -> None:
        self._refusal, self._stopping, self._stopped = refusal, stopping, stopped
        self._jobs: list[tuple[Callable, Future]] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, job: Callable) -> Future:
        """Queue a job; once closed, its future fails at once."""
        fut: Future = Future()
        with self._lock:
            if self._closed:
                fut.set_exception(self._refusal(self._stopping))
            else:
                self._jobs.append((job, fut))
        return fut

    def take(self) -> list[tuple[Callable, Future]]:
        """In the engine thread: the queued jobs not cancelled meanwhile, now running."""
        with self._lock:
            jobs, self._jobs = self._jobs, []
        return [(job, fut) for job, fut in jobs if fut.set_running_or_notify_cancel()]

    def close(self) -> None:
        """Refuse what is queued and everything submitted from now on."""
        with self._lock:
            self._closed = True
            jobs, self._jobs = self._jobs, []
        for _, fut in jobs:
            if fut.set_running_or_notify_cancel():
                fut.set_exception(self._refusal(self._stopped))
