"""`tocsin serve` and `tocsin broker`: the live service and its message broker."""

from __future__ import annotations

from pathlib import Path

import typer

from tocsin.commands import fail
from tocsin.errors import TocsinError


def serve(
    region: str | None = typer.Option(None, "--region", help="Built-in region or GeoJSON path."),
    sensors: Path | None = typer.Option(None, "--sensors", help="Sensor registry (sensors.json)."),
    keys: Path | None = typer.Option(None, "--keys", help="Sensor secrets (keys.json)."),
    data: Path | None = typer.Option(None, "--data", help="Directory of the event log and CAP."),
    host: str | None = typer.Option(None, "--host", help="Address to listen on [127.0.0.1]."),
    port: int | None = typer.Option(None, "--port", help="Port to listen on [8080]."),
    settings_file: Path | None = typer.Option(
        None, "--settings", help="TOML settings file (see docs/operating.md)."
    ),
) -> None:
    """Run the live service: signed records in over HTTP, alerts out as CAP, SSE, JSON."""
    import os

    from tocsin.api.logs import setup_logging
    from tocsin.api.server import serve as run_server
    from tocsin.config import load_settings

    overrides = {
        "region.name": region, "sensors.registry": sensors, "sensors.keys": keys,
        "data_dir": data, "server.host": host, "server.port": port,
    }  # fmt: skip
    try:
        settings = load_settings(settings_file, os.environ, overrides)
        setup_logging()
        run_server(settings)
    except (TocsinError, OSError) as e:
        raise fail(e) from e


def broker(
    data: Path = typer.Option(..., "--data", help="Directory for the broker's stored messages."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(4222, "--port", help="NATS port."),
    mqtt_port: int = typer.Option(1883, "--mqtt-port", help="MQTT port."),
) -> None:
    """Run the message broker (nats-server with JetStream and MQTT) for sensors and sirens."""
    from tocsin.api.natsd import BrokerPlan, start_broker

    try:
        proc = start_broker(BrokerPlan(data_dir=data, host=host, port=port, mqtt_port=mqtt_port))
    except (TocsinError, OSError) as e:
        raise fail(e) from e
    try:
        raise typer.Exit(proc.wait())
    except KeyboardInterrupt:
        proc.terminate()
        raise typer.Exit(proc.wait()) from None
