"""open_event_log: which URL opens which backend."""

from __future__ import annotations

import pytest

from tocsin.errors import StoreError
from tocsin.store import EventLog, SqliteEventLog, open_event_log


@pytest.mark.parametrize("url", [":memory:", "sqlite://", "sqlite:///:memory:"])
def test_memory_urls_open_a_private_log(url):
    with open_event_log(url) as log:
        assert isinstance(log, SqliteEventLog) and isinstance(log, EventLog)
        assert log.path == ":memory:"
        assert log.append("run_started", 0.0, {}) == 1


def test_file_urls_and_plain_paths_open_the_same_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_event_log(f"sqlite:///{tmp_path}/a.db") as log:  # sqlite:/// + /abs/path
        log.append("run_started", 0.0, {})
    with open_event_log(str(tmp_path / "a.db")) as log:
        assert log.path == str(tmp_path / "a.db") and log.count() == 1
        log.append("run_finished", 1.0, {})
    with open_event_log("sqlite:///a.db") as log:  # relative to the working directory
        assert log.last_seq() == 2
    with open_event_log(tmp_path / "a.db") as log:
        assert log.count("run_finished") == 1


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://tocsin:s3cret@db/tocsin",
        "postgres://tocsin:s3cret@db",
        "postgresql+psycopg://x:s3cret@y",
    ],
)
def test_postgresql_is_not_available_yet_and_the_password_is_not_echoed(url):
    with pytest.raises(StoreError, match="PostgreSQL backend is not available yet") as info:
        open_event_log(url)
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize(
    "url, problem",
    [
        ("", "empty URL"),
        ("mysql://u:s3cret@h/db", "unknown URL scheme 'mysql'"),
        ("sqlite://host/events.db", "a SQLite URL is sqlite:///path"),
        ("sqlite:///", "a SQLite URL is sqlite:///path"),
        ("sqlite:///events.db?mode=ro", "options are not supported"),
    ],
)
def test_bad_urls_are_refused(url, problem):
    with pytest.raises(StoreError, match=problem) as info:
        open_event_log(url)
    assert "s3cret" not in str(info.value)
