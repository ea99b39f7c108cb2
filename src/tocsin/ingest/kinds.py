"""The fields of each kind of detection record (interchange spec §2).

``parse_fields`` checks a decoded record's kind-specific fields and returns a
``Plan``: the Detection's fields known so far plus what still needs a
conversion into the local frame (done in batches by ``Intake``). Nothing here
touches shared state; a bad field raises ``FieldError``.

Defaults, in order of precedence: the record's own value, the sensor's entry
in the registry, then the constants below. Radar and acoustic Detections carry
their sensor's position in ``origin_*`` (a radar's position plots too).
"""

from __future__ import annotations

from tocsin.ingest import fields as f
from tocsin.ingest.convert import MIN_VAR_M2
from tocsin.messages import Sensor

DEFAULT_SIGMA_RANGE_M = 50.0  # radar, one sigma of the slant range
DEFAULT_SIGMA_AZIMUTH_DEG = 1.0
DEFAULT_SIGMA_ELEVATION_DEG = 1.5
DEFAULT_PLOT_SIGMA_M = 200.0  # radar position plots
DEFAULT_RANGE_MAX_M = 3000.0  # acoustic: radius within which a drone is audible
DEFAULT_SIGMA_BEARING_DEG = 10.0
DEFAULT_SIGHTING_SIGMA_M = 1500.0  # spec §2
DEFAULT_POSITION_SIGMA_M = 500.0  # external tracks

# Conversion groups of a Plan, with the order of its ``args``.
POLAR3 = "polar3"  # lat, lon, alt, north, range, azimuth, elevation, σr, σaz, σel
POLAR2 = "polar2"  # lat, lon, north, range, azimuth, σr, σaz
POINT = "point"  # lat, lon, sigma_m, v_east (NaN: none), v_north (NaN: none)
NODE = "node"  # nothing to convert: the sensor's own position
_NAN = float("nan")


class Profile:
    """A sensor and its resolved defaults (registry value, else the constants above)."""

    __slots__ = (
        "sensor",
        "sigma_range_m",
        "sigma_azimuth_deg",
        "sigma_elevation_deg",
        "sigma_m",
        "range_max_m",
        "sigma_bearing_deg",
    )

    def __init__(self, s: Sensor) -> None:
        self.sensor = s
        self.sigma_range_m = s.sigma_range_m or DEFAULT_SIGMA_RANGE_M
        self.sigma_azimuth_deg = s.sigma_azimuth_deg or DEFAULT_SIGMA_AZIMUTH_DEG
        self.sigma_elevation_deg = s.sigma_elevation_deg or DEFAULT_SIGMA_ELEVATION_DEG
        default_sigma = {"radar": DEFAULT_PLOT_SIGMA_M, "sighting": DEFAULT_SIGHTING_SIGMA_M}
        self.sigma_m = s.sigma_m or default_sigma.get(s.kind, DEFAULT_POSITION_SIGMA_M)
        self.range_max_m = s.range_max_m or DEFAULT_RANGE_MAX_M
        self.sigma_bearing_deg = s.sigma_bearing_deg or DEFAULT_SIGMA_BEARING_DEG


class Plan:
    """A checked record: Detection fields ``kw`` and a conversion ``group`` with its ``args``."""

    __slots__ = ("kw", "group", "args")

    def __init__(self, kw: dict, group: str, args: tuple = ()) -> None:
        self.kw = kw
        self.group = group
        self.args = args


def parse_fields(rec: dict, p: Profile, kw: dict) -> Plan:
    """Check the kind-specific fields of ``rec`` from sensor ``p`` into ``kw``."""
    return _BY_KIND[p.sensor.kind](rec, p, kw)


def _radar(rec: dict, p: Profile, kw: dict) -> Plan:
    s = p.sensor
    kw["origin_x_m"], kw["origin_y_m"], kw["origin_alt_m"] = s.x_m, s.y_m, s.alt_m
    if "range_m" in rec or "azimuth_deg" in rec:
        r = f.positive(rec, "range_m", f.REQUIRED)
        az = f.angle(rec, "azimuth_deg", f.REQUIRED)
        el = f.bounded(rec, "elevation_deg", -90.0, 90.0)
        s_r = f.positive(rec, "sigma_range_m", p.sigma_range_m)
        s_az = f.positive(rec, "sigma_azimuth_deg", p.sigma_azimuth_deg, f.MAX_SIGMA_DEG)
        s_el = f.positive(rec, "sigma_elevation_deg", p.sigma_elevation_deg, f.MAX_SIGMA_DEG)
        kw["range_m"], kw["azimuth_deg"] = r, az
        kw["sigma_range_m"], kw["sigma_azimuth_deg"] = s_r, s_az
        kw["radial_speed_mps"] = f.number(rec, "radial_speed_mps")
        if el is None:  # a 2-D radar: altitude unknown
            return Plan(kw, POLAR2, (s.lat_deg, s.lon_deg, s.north_deg, r, az, s_r, s_az))
        kw["elevation_deg"], kw["sigma_elevation_deg"] = el, s_el
        args = (s.lat_deg, s.lon_deg, s.alt_m, s.north_deg, r, az, el, s_r, s_az, s_el)
        return Plan(kw, POLAR3, args)
    if "lat" not in rec and "lon" not in rec:
        raise f.FieldError(
            "missing_field",
            "range_m",
            "'range_m' and 'azimuth_deg' (or 'lat' and 'lon' for a position plot) are required",
        )
    lat, lon = f.latlon(rec)
    kw["alt_m"] = f.number(rec, "alt_m")
    sigma = f.positive(rec, "sigma_m", p.sigma_m)
    return Plan(kw, POINT, (lat, lon, sigma, _NAN, _NAN))


def _acoustic(rec: dict, p: Profile, kw: dict) -> Plan:
    s = p.sensor
    radius = f.positive(rec, "range_max_m", p.range_max_m)
    bearing = f.angle(rec, "bearing_deg")
    s_b = f.positive(rec, "sigma_bearing_deg", p.sigma_bearing_deg, f.MAX_SIGMA_DEG)
    kw["snr_db"] = f.number(rec, "snr_db")
    var = max(radius * radius / 4.0, MIN_VAR_M2)  # as convert.disc_var_m2, for one
    kw["x_m"], kw["y_m"], kw["cov_xy"] = s.x_m, s.y_m, (var, 0.0, var)
    kw["origin_x_m"], kw["origin_y_m"], kw["origin_alt_m"] = s.x_m, s.y_m, s.alt_m
    kw["range_max_m"] = radius
    if bearing is not None:
        grid = (bearing + s.north_deg) % 360.0  # as convert.true_to_grid_deg, for one
        kw["bearing_deg"], kw["sigma_bearing_deg"] = bearing, s_b
        kw["bearing_grid_deg"] = 0.0 if grid >= 360.0 else grid
    return Plan(kw, NODE)


def _sighting(rec: dict, p: Profile, kw: dict) -> Plan:
    lat, lon = f.latlon(rec)
    sigma = f.positive(rec, "sigma_m", p.sigma_m)
    kw["heading_deg"] = f.angle(rec, "heading_deg")
    kw["count"] = f.count(rec, "count")
    kw["reporter"] = f.text(rec, "reporter")
    return Plan(kw, POINT, (lat, lon, sigma, _NAN, _NAN))


def _position(rec: dict, p: Profile, kw: dict) -> Plan:
    lat, lon = f.latlon(rec)
    kw["alt_m"] = f.number(rec, "alt_m")
    sigma = f.positive(rec, "sigma_m", p.sigma_m)
    v_east = f.number(rec, "v_east_mps")
    v_north = f.number(rec, "v_north_mps")
    if (v_east is None) != (v_north is None):
        key = "v_north_mps" if v_north is None else "v_east_mps"
        raise f.FieldError("missing_field", key, f"{key!r} is required with the other component")
    kw["ext_id"] = f.text(rec, "ext_id", allow_int=True)
    if v_east is None:
        return Plan(kw, POINT, (lat, lon, sigma, _NAN, _NAN))
    return Plan(kw, POINT, (lat, lon, sigma, v_east, v_north))


_BY_KIND = {"radar": _radar, "acoustic": _acoustic, "sighting": _sighting, "position": _position}
