"""Fixtures of the live service's tests: a scene on disk and a server in a thread."""

from __future__ import annotations

import pytest
from servecase import ThreadServer, free_port, write_scene

from tocsin.config import load_settings
from tocsin.publish.base import RecordingGateway


def settings_for(paths, data, port=None, **more):
    overrides = {
        "region.name": str(paths["region"]),
        "sensors.registry": str(paths["sensors"]),
        "sensors.keys": str(paths["keys"]),
        "data_dir": str(data),
        "server.port": port or free_port(),
        **more,
    }
    return load_settings(env={}, overrides=overrides)


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    root = tmp_path_factory.mktemp("scene")
    return root, write_scene(root)


@pytest.fixture(scope="module")
def live(scene):
    """One server for a module's tests, with a gateway that records what it is handed."""
    root, paths = scene
    gateway = RecordingGateway()
    srv = ThreadServer(settings_for(paths, root / "data"), gateway)
    srv.gateway = gateway
    yield srv
    srv.stop()
