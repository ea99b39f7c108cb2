"""Fixtures of the ingest tests: a frame, the sample registry, a fresh intake."""

from __future__ import annotations

import pytest
from ingest_samples import SENSORS_DOC

from tocsin.geo import LocalFrame
from tocsin.ingest import Intake, load_sensors

FRAME = LocalFrame(50.6, 36.6)


@pytest.fixture(scope="session")
def frame():
    return FRAME


@pytest.fixture(scope="session")
def sensors():
    return load_sensors(SENSORS_DOC, FRAME)


@pytest.fixture()
def intake(sensors):
    return Intake(sensors, FRAME)
