"""Run the service on uvicorn, with a shutdown that ends SSE streams and loses nothing."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from tocsin.api.app import create_app
from tocsin.api.auth import load_keys
from tocsin.api.service import Service
from tocsin.config import ConfigError, Settings
from tocsin.errors import TocsinError
from tocsin.geo import load_region
from tocsin.ingest import load_sensors
from tocsin.publish.base import PushGateway

log = logging.getLogger(__name__)


def build_service(settings: Settings, gateway: PushGateway | None = None) -> Service:
    """Read the region, the sensor registry and the keys that ``settings`` name."""
    if not settings.region.name:
        raise ConfigError("'region.name' is required (--region)")
    for key in ("registry", "keys"):
        if getattr(settings.sensors, key) is None:
            raise ConfigError(
                f"'sensors.{key}' is required (--{'sensors' if key == 'registry' else key})"
            )
    region = load_region(settings.region.name, settings.region.zone_res)
    sensors = load_sensors(settings.sensors.registry, region.frame)
    keys = load_keys(settings.sensors.keys)
    return Service(settings, region, sensors, keys, gateway)


class TocsinServer(uvicorn.Server):
    """uvicorn's server, telling the service at the first shutdown signal to end SSE streams."""

    def __init__(self, config: uvicorn.Config, service: Service) -> None:
        super().__init__(config)
        self.service = service

    def handle_exit(self, sig, frame) -> None:
        super().handle_exit(sig, frame)
        try:
            asyncio.get_running_loop().call_soon_threadsafe(self.service.begin_shutdown)
        except RuntimeError:  # no loop running in this thread
            self.service.begin_shutdown()


def make_server(service: Service, host: str, port: int) -> TocsinServer:
    config = uvicorn.Config(
        create_app(service),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_keep_alive=30,  # sensors post every few seconds on one connection
        timeout_graceful_shutdown=int(service.settings.timeouts.shutdown_s),
        lifespan="on",
    )
    server = TocsinServer(config, service)

    def fatal() -> None:  # a warning that cannot be stored is loud and fatal
        server.should_exit = True

    service.worker.on_fatal = fatal
    return server


def serve(settings: Settings, gateway: PushGateway | None = None) -> None:
    """Run until SIGINT or SIGTERM; then drain, store and close."""
    service = build_service(settings, gateway)
    server = make_server(service, settings.server.host, settings.server.port)
    log.info("serving", extra={"host": settings.server.host, "port": settings.server.port,
                               "region": service.region.name})  # fmt: skip
    server.run()
    if service.worker.error is not None:
        raise TocsinError(f"the engine stopped: {service.worker.error}") from service.worker.error
