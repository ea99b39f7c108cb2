"""Settings: the only place that reads them (a TOML file, then TOCSIN_* variables).

Every setting is a field of a frozen dataclass below; a TOML table is a
section (``[server]``), its keys are the fields. The environment overrides the
file: ``TOCSIN_<SECTION>_<FIELD>`` (``TOCSIN_SERVER_PORT=9000``), and
``TOCSIN_<FIELD>`` for top-level fields (``TOCSIN_DATA_DIR``). Lists in the
environment are comma-separated. An unknown key, a value of the wrong type or
out of range raises ``ConfigError`` naming the key and where it came from.

>>> s = load_settings(env={"TOCSIN_SERVER_PORT": "9000"})
>>> s.server.port, s.ingest.max_skew_s
(9000, 30.0)
>>> load_settings(env={"TOCSIN_SERVER_PORTS": "1"})
Traceback (most recent call last):
...
tocsin.config.ConfigError: TOCSIN_SERVER_PORTS: unknown setting 'server.ports'
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tocsin.alert.shelter import ShelterSettings
from tocsin.alert.state import AlertPolicy
from tocsin.assess.reach import ReachSettings
from tocsin.engine import EngineSettings
from tocsin.errors import InputError

ENV_PREFIX = "TOCSIN_"


class ConfigError(InputError):
    """A setting is unknown, of the wrong type or out of range; the message names it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080

    def check(self) -> None:
        _require(0 <= self.port <= 65535, "server.port", "must be in 0..65535")


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionSettings:
    name: str = ""  # a built-in region name or a region GeoJSON path
    zone_res: int = 7

    def check(self) -> None:
        _require(0 <= self.zone_res <= 15, "region.zone_res", "must be in 0..15")


@dataclass(frozen=True, slots=True, kw_only=True)
class SensorSettings:
    registry: Path | None = None  # sensors.json
    keys: Path | None = None  # keys.json: sensor id -> shared secret

    def check(self) -> None:
        pass


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestSettings:
    max_skew_s: float = 30.0  # a signed request's timestamp may be this far off
    nonce_window_s: float = 120.0  # nonces are remembered this long (at least 2 x skew)
    max_body_bytes: int = 4_194_304
    max_records: int = 20_000  # per request
    queue_max: int = 200_000  # records waiting for the engine; more is refused with 503

    def check(self) -> None:
        _require(self.max_skew_s > 0, "ingest.max_skew_s", "must be positive")
        _require(
            self.nonce_window_s >= 2 * self.max_skew_s,
            "ingest.nonce_window_s",
            "must be at least twice ingest.max_skew_s, or a replay could slip through",
        )
        for name in ("max_body_bytes", "max_records", "queue_max"):
            _require(getattr(self, name) > 0, f"ingest.{name}", "must be positive")


@dataclass(frozen=True, slots=True, kw_only=True)
class CapOptions:
    sender: str = "tocsin@localhost"
    status: str = "Exercise"  # Actual only when the operator says so: a drill is never real
    languages: tuple[str, ...] = ("ru-RU", "en-US")
    expires_s: int = 1800
    web: str | None = None

    def check(self) -> None:
        ok = self.status in ("Actual", "Exercise", "Test")
        _require(ok, "cap.status", "must be Actual, Exercise or Test")
        _require(bool(self.languages), "cap.languages", "must name at least one language")
        _require(self.expires_s > 0, "cap.expires_s", "must be positive")


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelSettings:
    sse_queue_max: int = 10_000  # events waiting for one SSE client; a slower one is dropped
    feed_entries: int = 200  # CAP messages in the Atom feed
    push_batch: int = 10_000  # subscribers handed to the push gateway at once
    push_queue_max: int = 1_000  # alert batches waiting for the fan-out

    def check(self) -> None:
        for f in dataclasses.fields(self):
            _require(getattr(self, f.name) > 0, f"channels.{f.name}", "must be positive")


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeoutSettings:
    tick_s: float = 1.0  # the engine steps at every multiple of this on the wall clock,
    step_gap_s: float = 0.1  # and as soon as records come, at most once in this long
    shutdown_s: float = 20.0  # graceful shutdown: drain queues for at most this long
    warm_s: float = 900.0  # on restart, records of this last span rebuild the tracks
    sse_ping_s: float = 15.0  # a comment line keeps idle SSE connections open

    def check(self) -> None:
        for f in dataclasses.fields(self):
            if f.name != "warm_s":
                _require(getattr(self, f.name) > 0, f"timeouts.{f.name}", "must be positive")
        _require(self.warm_s >= 0, "timeouts.warm_s", "must be 0 or more")


@dataclass(frozen=True, slots=True, kw_only=True)
class SnapshotSettings:
    # A snapshot of what a restart needs is stored every this many alert decisions or
    # this many seconds with new decisions, whichever comes first (0: that trigger off);
    # a restart then reads only the log after the newest one.
    every_decisions: int = 10_000
    every_s: float = 300.0

    def check(self) -> None:
        _require(self.every_decisions >= 0, "snapshot.every_decisions", "must be 0 or more")
        _require(self.every_s >= 0, "snapshot.every_s", "must be 0 or more")


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokerSettings:
    url: str = ""  # nats://127.0.0.1:4222 to take records from JetStream; empty: off
    stream: str = "TOCSIN_DETECTIONS"  # durable: nothing sent while Tocsin restarts is lost
    subjects: str = "tocsin.detections.>"  # MQTT topic tocsin/detections/<sensor-id>
    durable: str = "tocsin-engine"
    batch: int = 512
    mqtt_host: str = ""  # where sirens read retained tocsin/alerts/<zone>; empty: off
    mqtt_port: int = 1883

    def check(self) -> None:
        _require(self.batch > 0, "broker.batch", "must be positive")
        _require(0 < self.mqtt_port <= 65535, "broker.mqtt_port", "must be in 1..65535")


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSettings:
    # The public map draws zones, settlements and tracks on a blank background; with a
    # tile server of your own, give its URL ("https://tiles.example/{z}/{x}/{y}.png").
    tiles: str = ""  # empty: no basemap, and the page requests nothing but Tocsin
    tiles_attribution: str = ""

    def check(self) -> None:
        ok = not self.tiles or ("{z}" in self.tiles and "{x}" in self.tiles and "{y}" in self.tiles)
        _require(ok, "web.tiles", "must contain {z}, {x} and {y}")


_ENGINE = {f.name: f.default for f in dataclasses.fields(EngineSettings)}


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineOptions:
    fresh_s: float = _ENGINE["fresh_s"]  # a silent confirmed track starts no new warning
    assess_period_s: float = _ENGINE["assess_period_s"]  # threats reassessed this often

    def check(self) -> None:
        pass


# The warning policy's knobs (docs/engine.md): sections of their own, checked here.
ENGINE_SECTIONS = ("engine", "reach", "policy", "shelter")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything ``tocsin serve`` needs; sections are their own dataclasses."""

    data_dir: Path | None = None  # event log, CAP files, subscriptions
    server: ServerSettings = field(default_factory=ServerSettings)
    region: RegionSettings = field(default_factory=RegionSettings)
    sensors: SensorSettings = field(default_factory=SensorSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    cap: CapOptions = field(default_factory=CapOptions)
    channels: ChannelSettings = field(default_factory=ChannelSettings)
    timeouts: TimeoutSettings = field(default_factory=TimeoutSettings)
    snapshot: SnapshotSettings = field(default_factory=SnapshotSettings)
    broker: BrokerSettings = field(default_factory=BrokerSettings)
    web: WebSettings = field(default_factory=WebSettings)
    engine: EngineOptions = field(default_factory=EngineOptions)
    reach: ReachSettings = field(default_factory=ReachSettings)
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    shelter: ShelterSettings = field(default_factory=ShelterSettings)

    def check(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if dataclasses.is_dataclass(value) and f.name not in ENGINE_SECTIONS:
                value.check()
        _check_engine(self)

    def engine_settings(self, **more) -> EngineSettings:
        """The engine's settings from these (``more`` overrides, e.g. ``validate_cap``)."""
        kw = dict(
            reach=self.reach,
            policy=self.policy,
            shelter=self.shelter,
            fresh_s=self.engine.fresh_s,
            assess_period_s=self.engine.assess_period_s,
            status=self.cap.status,
        )
        return EngineSettings(**(kw | more))


def _check_engine(s: Settings) -> None:
    for name in ENGINE_SECTIONS:
        section = getattr(s, name)
        for f in dataclasses.fields(section):
            v = getattr(section, f.name)
            if isinstance(v, int | float) and not isinstance(v, bool):
                ok = math.isfinite(v) and v >= 0
                _require(ok, f"{name}.{f.name}", "must be a finite number, 0 or more")
    for name in ("p_warn", "p_keep"):
        _require(getattr(s.reach, name) <= 1.0, f"reach.{name}", "must be in 0..1 (a probability)")
    _require(s.reach.p_keep <= s.reach.p_warn, "reach.p_keep", "must be at most reach.p_warn")
    _require(s.reach.horizon_s > 0, "reach.horizon_s", "must be positive")
    _require(
        s.policy.advisory_horizon_s >= s.policy.warning_horizon_s,
        "policy.advisory_horizon_s",
        "must be at least policy.warning_horizon_s",
    )
    _require(
        s.reach.horizon_s >= s.policy.advisory_horizon_s,
        "reach.horizon_s",
        "must be at least policy.advisory_horizon_s: threats beyond it are not looked for",
    )
    _require(
        s.shelter.town_per_km2 <= s.shelter.city_per_km2,
        "shelter.town_per_km2",
        "must be at most shelter.city_per_km2",
    )


def load_settings(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Settings:
    """Defaults, then the TOML file at ``path``, then ``env``, then ``overrides``.

    ``overrides`` maps dotted names (``"server.port"``) to values, as the
    command line gives them; ``None`` values are skipped.
    """
    tree: dict[str, dict[str, tuple[object, str]]] = {}
    if path is not None:
        _merge_file(tree, Path(path))
    for name, raw in sorted((env or {}).items()):
        if name.startswith(ENV_PREFIX):
            _put(tree, _env_key(name), raw, name)
    for dotted, value in (overrides or {}).items():
        if value is not None:
            _put(tree, dotted, value, "command line")
    settings = _build(Settings, tree.pop("", {}), "")
    kw = {}
    for section, values in tree.items():
        kw[section] = _build(_section_type(section), values, section)
    settings = dataclasses.replace(settings, **kw)
    settings.check()
    return settings


def _merge_file(tree: dict, path: Path) -> None:
    try:
        doc = tomllib.loads(path.read_text("utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the settings file: {e.strerror or e}") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    for key, value in doc.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                _put(tree, f"{key}.{sub}", v, str(path))
        else:
            _put(tree, key, value, str(path))


def _env_key(name: str) -> str:
    rest = name[len(ENV_PREFIX) :].lower()
    for f in dataclasses.fields(Settings):
        if dataclasses.is_dataclass(f.default_factory) and rest.startswith(f.name + "_"):
            return f"{f.name}.{rest[len(f.name) + 1 :]}"
    return rest


def _put(tree: dict, dotted: str, value: object, source: str) -> None:
    section, _, key = dotted.rpartition(".")
    if section and section not in _sections():
        raise ConfigError(f"{source}: unknown settings section {section!r} (in {dotted!r})")
    owner = _section_type(section) if section else Settings
    names = {f.name for f in dataclasses.fields(owner)} - set(_sections() if not section else ())
    if key not in names:
        where = f"{section}.{key}" if section else key
        raise ConfigError(f"{source}: unknown setting {where!r}")
    tree.setdefault(section, {})[key] = (value, source)


def _sections() -> dict[str, type]:
    hints = typing.get_type_hints(Settings)
    return {n: t for n, t in hints.items() if dataclasses.is_dataclass(t)}


def _section_type(section: str) -> type:
    return _sections()[section]


def _build(cls: type, values: dict[str, tuple[object, str]], section: str):
    hints = typing.get_type_hints(cls)
    kw = {}
    for key, (value, source) in values.items():
        where = f"{section}.{key}" if section else key
        kw[key] = _coerce(value, hints[key], where, source)
    return cls(**kw)


def _coerce(value: object, hint: object, where: str, source: str) -> object:
    """``value`` as type ``hint``; strings (from the environment) are parsed."""
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType):  # X | None
        if value is None or value == "":
            return None
        hint = next(a for a in args if a is not type(None))
        args = typing.get_args(hint)
    bad = f"{source}: {where!r} must be {_type_name(hint)}, not {value!r}"
    if typing.get_origin(hint) is tuple:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ConfigError(bad)
        return tuple(_coerce(v.strip() if isinstance(v, str) else v, args[0], where, source)
                     for v in items if v != "")  # fmt: skip
    if hint is bool:
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "0", "false", "no"):
            return value.lower() in ("1", "true", "yes")
        if isinstance(value, bool):
            return value
        raise ConfigError(bad)
    if hint in (int, float):
        if isinstance(value, str):
            try:
                return hint(value)
            except ValueError:
                raise ConfigError(bad) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(bad)
        if hint is int and not float(value).is_integer():
            raise ConfigError(bad)
        return hint(value)
    if hint is Path:
        if not isinstance(value, str | Path) or str(value) == "":
            raise ConfigError(bad)
        return Path(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(bad)
        return value
    raise ConfigError(f"{source}: {where!r} has a type settings cannot read ({hint})")


def _type_name(hint: object) -> str:
    if typing.get_origin(hint) is tuple:
        return "a list"
    return {int: "an integer", float: "a number", bool: "true or false", Path: "a path"}.get(
        hint, "a string"
    )


def _require(ok: bool, where: str, what: str) -> None:
    if not ok:
        raise ConfigError(f"{where!r} {what}")
