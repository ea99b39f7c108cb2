"""The monthly situation report as HTML (figures inlined) and PDF (``pdf.py``).

Real alerts and drills are kept apart: the figures, map and tables count the
real runs only; drills and exercises get their own section, never mixed in.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import numpy as np

from tocsin.geo import Region
from tocsin.incident import Incident
from tocsin.review import charts
from tocsin.review.periods import next_boundary, period_of
from tocsin.review.spells import Run
from tocsin.review.stats import compute_stats
from tocsin.review.warned import Link, LinkSettings, link_incidents
from tocsin.times import format_time

SUMMARY = (
    ("warning onsets (zones)", "warnings"),
    ("hours under warning (any zone)", "warning_h"),
    ("zone-hours under warning", "zone_warning_h"),
    ("advisory onsets (zones)", "advisories"),
    ("incidents", "incidents"),
    ("warned", "warned"),
    ("warned in time", "timely"),
    ("median lead time (s)", "lead_median_s"),
    ("injured (children)", "injured"),
    ("killed (children)", "killed"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthReport:
    region: Region
    month: str
    days: list[str]
    incidents: list[Incident]
    links: list[Link]
    stats: list[dict]
    drill_runs: list[Run]
    drill_stats: list[dict]
    timely_s: float

    def row(self, scope: str, period: str, start: str, stats=None) -> dict:
        rows = self.stats if stats is None else stats
        return next(
            (r for r in rows if (r["scope"], r["period"], r["start"]) == (scope, period, start)),
            {},
        )


def build_report(
    region: Region, runs: Sequence[Run], incidents: Sequence[Incident], month: str,
    tz: tzinfo = UTC, settings: LinkSettings | None = None,
) -> MonthReport:  # fmt: skip
    """Gather the month's figures; ``month`` is YYYY-MM in the time zone ``tz``."""
    try:
        first = datetime.strptime(month, "%Y-%m").replace(tzinfo=tz).timestamp()
    except ValueError:
        raise ValueError(f"month must be YYYY-MM, not {month!r}") from None
    settings = settings or LinkSettings()
    days, t = [], first
    while period_of(t, "month", tz) == month:
        days.append(period_of(t, "day", tz))
        t = next_boundary(t, "day", tz)
    real = [r for r in runs if not r.drill]
    drills = [r for r in runs if r.drill]
    mine = [i for i in incidents if period_of(i.t_s, "month", tz) == month]
    mine = [i for i in mine if i.status != "retracted"]
    links = link_incidents(mine, real, settings)
    return MonthReport(
        region=region,
        month=month,
        days=days,
        incidents=mine,
        links=links,
        stats=compute_stats(region, real, mine, links, tz),
        drill_runs=drills,
        drill_stats=compute_stats(region, drills, [], [], tz),
        timely_s=settings.timely_s,
    )


def _figures(rep: MonthReport) -> list:
    hours = {
        r["id"]: r["warning_h"]
        for r in rep.stats
        if r["scope"] == "zone" and r["period"] == "month" and r["start"] == rep.month
    }
    day_rows = {d: rep.row("region", "day", d) for d in rep.days}
    title = f"{rep.region.title}, {rep.month}"
    return [
        charts.hours_map(
            rep.region, hours, rep.incidents, rep.links, f"{title}: hours under warning"
        ),
        charts.by_day(rep.days, day_rows, f"{title}: warnings and incidents by day"),
        charts.lead_histogram(rep.links, rep.timely_s),
    ]


def summary_rows(rep: MonthReport) -> list[tuple[str, str]]:
    r = rep.row("region", "month", rep.month)
    out = []
    for label, key in SUMMARY:
        v = r.get(key)
        text = "–" if v is None else f"{v:,.1f}" if isinstance(v, float) else f"{v:,}"
        if key in ("injured", "killed"):
            text += f" ({r.get(key + '_children') or 0})"
        out.append((label, text))
    return out


def _place(region: Region, inc: Incident) -> str:
    """The nearest settlement and how far: 'Belgorod, 4 km'."""
    s = region.settlements
    if not len(s):
        return inc.zone
    kx = np.cos(np.radians(inc.lat_deg))
    d_km = 111.2 * np.hypot(s.lat_deg - inc.lat_deg, (s.lon_deg - inc.lon_deg) * kx)
    k = int(np.argmin(d_km))
    return f"{s.names[k]}, {d_km[k]:.0f} km" if d_km[k] >= 1 else str(s.names[k])


def incident_rows(rep: MonthReport) -> list[list[str]]:
    rows = []
    for inc, lk in zip(rep.incidents, rep.links, strict=True):
        c = inc.casualties
        warned = (
            f"yes, {lk.lead_s / 60:.1f} min" if lk.warned
            else f"late by {lk.late_s / 60:.1f} min" if lk.late_s is not None
            else "advisory only" if lk.level else "NO"
        )  # fmt: skip
        rows.append([
            inc.id, format_time(inc.t_s)[5:16].replace("T", " "), inc.kind,
            _place(rep.region, inc), inc.status, f"{c.injured} ({c.injured_children})",
            f"{c.killed} ({c.killed_children})", "; ".join(inc.hospitals) or "–", warned,
        ])  # fmt: skip
    return rows


INCIDENT_HEAD = ["id", "time (UTC)", "kind", "place", "status", "injured (ch.)", "killed (ch.)",
                 "hospitals", "warned"]  # fmt: skip


def drill_rows(rep: MonthReport) -> list[tuple[str, str]]:
    r = rep.row("region", "month", rep.month, rep.drill_stats)
    return [
        ("drill and exercise runs", f"{len(rep.drill_runs)}"),
        ("warning onsets (zones)", f"{r.get('warnings', 0):,}"),
        ("hours under warning (any zone)", f"{r.get('warning_h', 0.0):,.1f}"),
    ]


def write_html(rep: MonthReport, figs: list, path: Path) -> None:
    def png(fig) -> str:
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return base64.b64encode(buf.getvalue()).decode("ascii")

    def table(head, rows) -> str:
        th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        trs = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows
        )
        return f"<table><tr>{th}</tr>{trs}</table>"

    title = f"{html.escape(rep.region.title)}: situation report, {rep.month}"
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>",
        "<style>body{font-family:sans-serif;max-width:1000px;margin:auto}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
        "padding:2px 6px}.drill{background:#eef;padding:8px;border:2px dashed #669}</style>",
        f"</head><body><h1>{title}</h1><h2>Real alerts and incidents</h2>",
        table(["figure", "value"], summary_rows(rep)),
    ]
    for fig in figs:
        parts.append(f"<p><img style='width:100%' src='data:image/png;base64,{png(fig)}'></p>")
    parts.append(f"<h2>Incidents ({len(rep.incidents)})</h2>")
    parts.append(table(INCIDENT_HEAD, incident_rows(rep)))
    parts.append("<div class='drill'><h2>Drills and exercises (EXERCISE, not counted above)</h2>")
    parts.append(table(["figure", "value"], drill_rows(rep)) + "</div>")
    parts.append(
        f"<p>Generated from {len(rep.incidents)} incidents; times in UTC.</p></body></html>"
    )
    Path(path).write_text("".join(parts), "utf-8")


def write_report(rep: MonthReport, out_dir: Path) -> tuple[Path, Path, int]:
    """Write report-<month>.html and .pdf into out_dir; return both paths and the page count."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figs = _figures(rep)
    try:
        html_path = out_dir / f"report-{rep.month}.html"
        pdf_path = out_dir / f"report-{rep.month}.pdf"
        write_html(rep, figs, html_path)
        from tocsin.review.pdf import write_pdf

        pages = write_pdf(rep, figs, pdf_path)
    finally:
        for f in figs:
            charts.close(f)
    return html_path, pdf_path, pages
