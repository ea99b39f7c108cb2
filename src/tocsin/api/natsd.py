"""The message broker Tocsin runs beside itself: nats-server with JetStream and MQTT.

``tocsin broker`` writes the server's configuration into the data directory
and runs Debian's ``nats-server`` with it, listening on loopback by default.
MQTT in NATS needs JetStream and a ``server_name``; both are set here.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tocsin.errors import TocsinError


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokerPlan:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 4222
    mqtt_port: int = 1883
    name: str = "tocsin"

    def config(self) -> str:
        """The nats-server configuration.

        >>> print(BrokerPlan(data_dir=Path("/d")).config())  # doctest: +NORMALIZE_WHITESPACE
        server_name: "tocsin"
        listen: "127.0.0.1:4222"
        jetstream { store_dir: "/d/jetstream" }
        mqtt { listen: "127.0.0.1:1883" }
        """
        store = self.data_dir / "jetstream"
        return (
            f'server_name: "{self.name}"\n'
            f'listen: "{self.host}:{self.port}"\n'
            f'jetstream {{ store_dir: "{store}" }}\n'
            f'mqtt {{ listen: "{self.host}:{self.mqtt_port}" }}\n'
        )


def start_broker(plan: BrokerPlan, log_path: Path | None = None) -> subprocess.Popen:
    """Write the configuration and start nats-server; the caller owns the process."""
    exe = shutil.which("nats-server")
    if exe is None:
        raise TocsinError("nats-server is not installed (Debian: apt-get install nats-server)")
    plan.data_dir.mkdir(parents=True, exist_ok=True)
    conf = plan.data_dir / "nats.conf"
    conf.write_text(plan.config(), "utf-8")
    out = log_path.open("ab") if log_path is not None else None
    return subprocess.Popen([exe, "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT)
