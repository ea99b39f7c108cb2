"""The simulated month is built once per test session (three replays, about 20 s)."""

from __future__ import annotations

import pytest
from monthcase import Month, build_month


@pytest.fixture(scope="session")
def month(tmp_path_factory) -> Month:
    return build_month(tmp_path_factory.mktemp("month"))
