"""Regions, alert zones and the local metric frame.

The rest of Tocsin reaches h3 and pyproj only through this package.
"""

from tocsin.geo.frame import LocalFrame
from tocsin.geo.region import DEFAULT_ZONE_RES, Region, Settlements, builtin_names, load_region
from tocsin.geo.zones import Zones, zone_res_of

__all__ = [
    "DEFAULT_ZONE_RES",
    "LocalFrame",
    "Region",
    "Settlements",
    "Zones",
    "builtin_names",
    "zone_res_of",
    "load_region",
]
