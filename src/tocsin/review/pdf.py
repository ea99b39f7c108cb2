"""The monthly report as a PDF, with matplotlib's own PDF backend (no system packages)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages

from tocsin.review import charts
from tocsin.review.report import (
    INCIDENT_HEAD,
    SUMMARY,
    MonthReport,
    drill_rows,
    incident_rows,
    summary_rows,
)


def write_pdf(rep: MonthReport, figs: list, path: Path) -> int:
    """The report as a PDF; returns its number of pages."""
    import matplotlib.pyplot as plt

    pages = 0
    with PdfPages(path) as pdf:
        fig = plt.figure(figsize=(10, 7.5))
        fig.text(0.05, 0.92, f"{rep.region.title}: situation report, {rep.month}", fontsize=18)
        fig.text(0.05, 0.86, "Real alerts and incidents", fontsize=13)
        for k, (label, value) in enumerate(summary_rows(rep)):
            fig.text(0.08, 0.80 - 0.045 * k, label, fontsize=11)
            fig.text(0.55, 0.80 - 0.045 * k, value, fontsize=11, family="monospace")
        y = 0.80 - 0.045 * len(SUMMARY) - 0.05
        fig.text(0.05, y, "Drills and exercises (EXERCISE, not counted above)", fontsize=13,
                 color="#336")  # fmt: skip
        for k, (label, value) in enumerate(drill_rows(rep)):
            fig.text(0.08, y - 0.05 - 0.045 * k, label, fontsize=11, color="#336")
            fig.text(0.55, y - 0.05 - 0.045 * k, value, fontsize=11, family="monospace")
        for f in (fig, *figs):
            pdf.savefig(f)
            pages += 1
        charts.close(fig)
        rows = incident_rows(rep)
        for start in range(0, len(rows), 25):
            fig, ax = plt.subplots(figsize=(10, 7.5))
            ax.axis("off")
            ax.set_title(f"Incidents {start + 1}-{min(start + 25, len(rows))} of {len(rows)}")
            page = rows[start : start + 25]
            colours = [["white"] * (len(r) - 1) + [_colour(r[-1])] for r in page]
            tab = ax.table(
                cellText=page, cellColours=colours, colLabels=INCIDENT_HEAD, loc="upper center"
            )
            tab.auto_set_font_size(False)
            tab.set_fontsize(8)
            tab.scale(1.0, 1.3)
            tab.auto_set_column_width(list(range(len(INCIDENT_HEAD))))
            pdf.savefig(fig)
            charts.close(fig)
            pages += 1
    return pages


def _colour(warned: str) -> str:
    if warned.startswith("yes"):
        return "#b7e1bf"
    return "#f4a6a0" if warned == "NO" else "#fdd8a8"
