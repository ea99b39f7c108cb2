"""The monthly report renders, counts only real alerts, and reports drills apart."""

from __future__ import annotations

import re
from dataclasses import replace

from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.review.report import build_report, write_report

runner = CliRunner()


def test_drills_are_reported_apart_and_change_no_real_figure(month, tmp_path):
    real_only = build_report(month.region, month.runs, month.incidents, "2026-11")
    drill = replace(month.runs[0], name="drill", drill=True)
    both = build_report(month.region, [*month.runs, drill], month.incidents, "2026-11")
    assert both.stats == real_only.stats
    drill_row = both.row("region", "month", "2026-11", both.drill_stats)
    assert drill_row["warnings"] == sum(sp.level == "warning" for sp in drill.spells) > 0
    assert len(both.days) == 30 and both.days[0] == "2026-11-01"
    html_path, pdf_path, pages = write_report(both, tmp_path)
    text = html_path.read_text()
    assert "Drills and exercises (EXERCISE, not counted above)" in text
    assert text.count("data:image/png;base64,") == 3
    summary = real_only.row("region", "month", "2026-11")
    assert f"<td>warning onsets (zones)</td><td>{summary['warnings']:,}</td>" in text
    assert text.count("<tr><td>I") == len(both.incidents) == len(month.incidents) - 1
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b", pdf)) == pages == 5


def test_report_command_and_a_bad_month(month, tmp_path):
    args = ["report", "--region", "belgorod", "--data", str(month.root / "data")]
    args += ["--run", str(month.root / "run0"), "--out", str(tmp_path)]
    res = runner.invoke(app, [*args, "--month", "2026-11"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "report-2026-11.pdf").stat().st_size > 10_000
    res = runner.invoke(app, [*args, "--month", "November"])
    assert res.exit_code == 2 and "YYYY-MM" in res.output
