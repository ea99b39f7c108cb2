"""A PNG map of one simulated night: the region, warned zones, tracks against truth, towns."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from tocsin.geo import Region  # noqa: E402
from tocsin.times import parse_time  # noqa: E402


def warned_seconds(region: Region, alerts_path: Path, end_s: float) -> np.ndarray:
    """Seconds each zone (Z,) spent under a warning in a run's alerts.jsonl."""
    z_of = {z: i for i, z in enumerate(region.zones.ids)}
    secs = np.zeros(len(region.zones))
    onset: dict[str, float] = {}
    with open(alerts_path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["level"] != "warning":
                continue
            t = parse_time(r["t"])
            if r["event"] == "onset":
                onset.setdefault(r["zone"], t)
            elif r["event"] == "clear" and r["zone"] in onset:
                secs[z_of[r["zone"]]] += t - onset.pop(r["zone"])
    for z, t in onset.items():
        secs[z_of[z]] += max(end_s - t, 0.0)
    return secs


def _paths(path: Path, key: str, keep=lambda r: True) -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if keep(r):
                out.setdefault(r[key], []).append((r["lat"], r["lon"]))
    return out


def draw_night(
    region: Region, scenario_dir: Path, run_dir: Path, out_png: Path, end_s: float, title: str
) -> Path:
    """Draw the night into out_png and return its path."""
    fr, zones = region.frame, region.zones
    fig, ax = plt.subplots(figsize=(11, 7), dpi=110)
    secs = warned_seconds(region, run_dir / "alerts.jsonl", end_s)
    warned = np.flatnonzero(secs > 0)
    if len(warned):
        polys = []
        for i in warned:
            lat, lon = np.array(zones.boundary(int(i))).T
            x, y = fr.latlng_to_xy(lat, lon)
            polys.append(np.c_[x, y] / 1000.0)
        pc = PolyCollection(
            polys, array=secs[warned] / 60.0, cmap="Reds", edgecolors="none", alpha=0.8, zorder=1
        )
        fig.colorbar(pc, ax=ax, shrink=0.6, label="minutes under warning")
        ax.add_collection(pc)
    for rx, ry in region.boundary_xy():
        ax.plot(rx / 1000.0, ry / 1000.0, color="black", lw=1.2, zorder=2)
    for ll in _paths(scenario_dir / "truth.jsonl", "target").values():
        lat, lon = np.array(ll).T
        x, y = fr.latlng_to_xy(lat, lon)
        ax.plot(x / 1000.0, y / 1000.0, color="0.55", lw=0.6, ls="--", zorder=3)
    confirmed = _paths(run_dir / "tracks.jsonl", "track", lambda r: r["status"] == "confirmed")
    for ll in confirmed.values():
        lat, lon = np.array(ll).T
        x, y = fr.latlng_to_xy(lat, lon)
        ax.plot(x / 1000.0, y / 1000.0, color="tab:blue", lw=1.0, zorder=4)
    s = region.settlements
    big = s.population >= 10_000
    ax.scatter(
        s.x_m / 1000.0, s.y_m / 1000.0, s=6 + 40 * np.sqrt(s.population / 3e5), c="black", zorder=5
    )
    for k in np.flatnonzero(big):
        ax.annotate(
            s.names[k],
            (s.x_m[k] / 1000.0, s.y_m[k] / 1000.0),
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
            zorder=6,
        )
    ax.plot([], [], color="0.55", ls="--", label="drones (truth)")
    ax.plot([], [], color="tab:blue", label="confirmed tracks")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlabel("km east of the region's centre")
    ax.set_ylabel("km north")
    ax.set_title(title)
    ax.autoscale_view()
    fig.tight_layout()
    fig.savefig(out_png)
    plt.close(fig)
    return out_png
