"""Figures of the monthly report (matplotlib, Agg): a map of hours under warning by zone
with the incidents, warnings and incidents by day, and the lead-time distribution."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from tocsin.geo import Region  # noqa: E402
from tocsin.incident import Incident  # noqa: E402
from tocsin.review.warned import Link  # noqa: E402

WARNED, LATE, MISSED = "#1a9850", "#fdae61", "#d73027"


def hours_map(
    region: Region, hours: dict[str, float], incidents: Sequence[Incident], links: Sequence[Link],
    title: str,
) -> Figure:  # fmt: skip
    """Zones shaded by hours under warning; incidents as dots: warned in time, late, not warned."""
    fig, ax = plt.subplots(figsize=(10, 7.5), dpi=100)
    for ring in getattr(region.area, "geoms", [region.area]):
        lon, lat = np.asarray(ring.exterior.coords).T
        ax.plot(lon, lat, color="#555", lw=0.8)
    zones = [k for k, z in enumerate(region.zones.ids) if hours.get(z, 0) > 0]
    if zones:
        polys = [np.array(region.zones.boundary(k))[:, ::-1] for k in zones]
        vals = np.array([hours[region.zones.ids[k]] for k in zones])
        coll = PolyCollection(polys, array=vals, cmap="YlOrRd", edgecolors="none")
        ax.add_collection(coll)
        fig.colorbar(coll, ax=ax, shrink=0.7, label="hours under warning")
    big = np.argsort(region.settlements.population)[-12:]
    s = region.settlements
    ax.scatter(s.lon_deg[big], s.lat_deg[big], s=8, color="#333", zorder=3)
    for k in big:
        ax.annotate(str(s.names[k]), (s.lon_deg[k], s.lat_deg[k]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")  # fmt: skip
    link_of = {lk.incident: lk for lk in links}
    for label, color, pick in (
        ("warned in time", WARNED, lambda lk: lk.timely),
        ("warned late or advisory only", LATE, lambda lk: not lk.timely and lk.level),
        ("not warned", MISSED, lambda lk: not lk.timely and not lk.level),
    ):
        sel = [i for i in incidents if i.id in link_of and pick(link_of[i.id])]
        if sel:
            lon, lat = [i.lon_deg for i in sel], [i.lat_deg for i in sel]
            style = dict(s=36, color=color, edgecolors="black", linewidths=0.6, zorder=4)
            ax.scatter(lon, lat, label=f"{label} ({len(sel)})", **style)
    if incidents:
        ax.legend(loc="lower left", fontsize=8, title="incidents", title_fontsize=8)
    ax.set_aspect(1 / np.cos(np.radians(region.frame.lat0_deg)))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def by_day(days: Sequence[str], rows: dict[str, dict], title: str) -> Figure:
    """Warning onsets and hours under warning per day; incidents and casualties per day."""
    fig, (a, b) = plt.subplots(2, 1, figsize=(10, 6), dpi=100, sharex=True)
    x = np.arange(len(days))

    def col(name):
        return np.array([(rows.get(d) or {}).get(name) or 0 for d in days], float)

    a.bar(x, col("warning_h"), color="#d73027", label="hours under warning (any zone)")
    a.set_ylabel("hours")
    a2 = a.twinx()
    a2.plot(x, col("warnings"), "ko", ms=4, label="warning onsets (zones)")
    a2.set_ylabel("onsets")
    a.legend(loc="upper left", fontsize=8)
    a2.legend(loc="upper right", fontsize=8)
    a.set_title(title)
    b.bar(x - 0.2, col("incidents"), width=0.4, color="#4575b4", label="incidents")
    b.bar(x + 0.2, col("injured") + col("killed"), width=0.4, color="#fdae61", label="casualties")
    b.legend(loc="upper left", fontsize=8)
    b.set_xticks(x, [d[8:] for d in days], fontsize=7)
    b.set_xlabel("day of the month")
    fig.tight_layout()
    return fig


def lead_histogram(links: Sequence[Link], timely_s: float) -> Figure:
    """Lead times of the warned incidents, and how many were not warned."""
    fig, ax = plt.subplots(figsize=(10, 3.6), dpi=100)
    leads = np.array([lk.lead_s for lk in links if lk.warned]) / 60.0
    missed = sum(not lk.warned for lk in links)
    if len(leads):
        ax.hist(leads, bins=np.arange(0, max(16, leads.max() + 1)), color=WARNED, edgecolor="white")
    ax.axvline(timely_s / 60.0, color="black", ls="--", lw=1, label=f"in time: ≥ {timely_s:g} s")
    ax.set_xlabel("lead time of the warning before the incident (minutes)")
    ax.set_ylabel("incidents")
    ax.set_title(f"Lead time: {len(leads)} incidents warned, {missed} not warned")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def close(fig: Figure) -> None:
    plt.close(fig)
