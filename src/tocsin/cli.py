"""The `tocsin` command: regions, simulate, score, demo, replay; the rest in tocsin.commands."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tocsin.commands import console, err_console, fail
from tocsin.errors import TocsinError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Tocsin: civil early warning of drone attacks.",
)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details.")):
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@app.command()
def regions(
    zone_res: int = typer.Option(7, "--zone-res", help="H3 resolution of alert zones."),
) -> None:
    """List the built-in regions with their area, zone count and population."""
    from tocsin.geo import builtin_names, load_region

    table = Table(title=f"Built-in regions (zones: H3 resolution {zone_res})")
    for col in ("name", "title", "area km²", "zones", "settlements", "population"):
        table.add_column(col, justify="left" if col in ("name", "title") else "right")
    try:
        for name in builtin_names():
            r = load_region(name, zone_res)
            table.add_row(
                name,
                r.title,
                f"{r.area_km2:,.0f}",
                f"{len(r.zones):,}",
                f"{len(r.settlements):,}",
                f"{r.population:,}",
            )
    except TocsinError as e:
        raise fail(e) from e
    console.print(table)


@app.command()
def score(
    scenario: Annotated[
        Path, typer.Option("--scenario", help="Scenario directory (truth, targets, region).")
    ],
    run: Annotated[
        Path | None, typer.Option("--run", help="Run directory: alerts.jsonl, tracks.jsonl.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
    write_policy: Annotated[
        str | None,
        typer.Option(
            "--write-policy", help="Write a reference policy: oracle, region-wide or straight."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Run directory to write the policy into.")
    ] = None,
    zone_res: Annotated[
        int | None,
        typer.Option("--zone-res", help="H3 resolution of zones (default: the run's, else 7)."),
    ] = None,
) -> None:
    """Score a run's warnings against a scenario's truth (spec §6), beside reference policies."""
    import json

    from tocsin.geo import DEFAULT_ZONE_RES
    from tocsin.sim.policy import POLICIES
    from tocsin.sim.score import load_scenario, policy_rows, score_run

    try:
        if write_policy is not None:
            if write_policy not in POLICIES or out is None:
                raise typer.BadParameter(
                    f"--write-policy takes {', '.join(POLICIES)}, with --out RUN_DIR"
                )
            res = DEFAULT_ZONE_RES if zone_res is None else zone_res
            rows = policy_rows(load_scenario(scenario, res), write_policy)
            out.mkdir(parents=True, exist_ok=True)
            text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
            (out / "alerts.jsonl").write_text(text, "utf-8")
            err_console.print(f"wrote {len(rows)} alert rows to {out / 'alerts.jsonl'}")
            return
        if run is None:
            raise typer.BadParameter("--run RUN_DIR is required (or --write-policy with --out)")
        result = score_run(scenario, run, zone_res)
    except (TocsinError, OSError) as e:
        raise fail(e) from e
    if as_json:
        typer.echo(json.dumps(result))
        return
    _print_scores(result, run)


def _score_cell(v: float | int | None) -> str:
    if v is None:
        return "–"
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}"


def _print_scores(result: dict, run: Path) -> None:
    """The run's figures and the reference policies side by side."""
    ref = result["reference"]
    cols = {"run": result, **{k.replace("_", "-"): v for k, v in ref.items()}}
    table = Table(title=f"Warning scores: {run}")
    table.add_column("metric")
    for name in cols:
        table.add_column(name, justify="right")
    keys = [k for k in result if k != "reference" and not k.startswith("scenario_")]
    for k in keys:
        table.add_row(k, *(_score_cell(m.get(k)) for m in cols.values()))
    console.print(table)
    console.print(f"scenario: {result['scenario_start']} to {result['scenario_end']}")


@app.command()
def simulate(
    region: str = typer.Option(
        ..., "--region", help="Built-in region name or a region GeoJSON file."
    ),
    out: Path = typer.Option(..., "--out", help="Scenario directory to write."),
    preset: str = typer.Option(
        "typical",
        "--preset",
        help="quiet, typical, mass-raid or sparse-sensors; stress cases: sharp-turns, "
        "groups, radar-outage, late-sightings.",
    ),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed, the same files."),
    drones: int | None = typer.Option(
        None, "--drones", help="Drones in the raid, 1-1000 (default: the preset's)."
    ),
    duration_min: float | None = typer.Option(
        None, "--duration-min", help="Scenario length in minutes."
    ),
    acoustic_density: float | None = typer.Option(
        None, "--acoustic-density", help="Acoustic nodes, relative to a normal network (1)."
    ),
    radars: int | None = typer.Option(None, "--radars", help="Number of radars."),
    start: str | None = typer.Option(
        None, "--start", help="Start, ISO 8601 (default 2026-11-24T21:00:00Z)."
    ),
    zone_res: int = typer.Option(7, "--zone-res", help="H3 resolution of alert zones."),
) -> None:
    """Simulate a drone raid and the sensor network that sees it; write a scenario directory."""
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from tocsin.sim.preset import settings_for
    from tocsin.sim.scenario import simulate as run_simulation
    from tocsin.sim.scenario import write_scenario

    wall = time.perf_counter()
    try:
        settings = settings_for(
            preset,
            seed=seed,
            drones=drones,
            duration_min=duration_min,
            acoustic_density=acoustic_density,
            radars=radars,
            start=start,
        )
        columns = (TextColumn("{task.description:<20}"), BarColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("loading region", total=1.0)

            def advance(base: float, share: float):
                return lambda stage, f: bar.update(
                    task, description=stage, completed=base + share * f
                )

            scn = run_simulation(region, settings, zone_res=zone_res, progress=advance(0.0, 0.8))
            write_scenario(scn, out, progress=advance(0.8, 0.2))
    except (TocsinError, ValueError, OSError) as e:
        raise fail(e) from e
    _print_simulation(scn.summary(), settings, out, time.perf_counter() - wall)


def _print_simulation(summary: dict, settings, out: Path, wall_s: float) -> None:
    table = Table(title=f"Scenario written to {out}")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_column("false", justify="right")
    table.add_row("drones", f"{summary['targets']:,}", "")
    table.add_row("  strikers / transits", f"{summary['strikers']:,} / {summary['transits']:,}", "")
    table.add_row("  reported", f"{summary['reported_targets']:,}", "")
    for kind, n in summary["records"].items():
        table.add_row(f"records: {kind}", f"{n:,}", f"{summary['false_records'][kind]:,}")
    table.add_row("truth rows", f"{summary['truth_rows']:,}", "")
    table.add_row("duration", f"{settings.duration_min:g} min", "")
    table.add_row("wall time", f"{wall_s:.1f} s", "")
    console.print(table)


@app.command()
def replay(
    region: str = typer.Option(..., "--region", help="Built-in region name or GeoJSON path."),
    sensors: Path = typer.Option(..., "--sensors", help="Sensor registry (sensors.json)."),
    detections: Path = typer.Option(..., "--detections", help="Detection stream (JSON Lines)."),
    out: Path = typer.Option(..., "--out", help="Run directory to write."),
    zone_res: int = typer.Option(7, "--zone-res", help="H3 resolution of alert zones."),
    validate: bool = typer.Option(
        False, "--validate-cap", help="Check every CAP message against the schema."
    ),
    settings_file: Path | None = typer.Option(
        None,
        "--settings",
        help="Settings file (TOML) whose \\[engine], \\[reach], \\[policy] and \\[shelter] "
        "knobs the engine takes, as tocsin serve does.",
    ),
) -> None:
    """Run the engine over a detection file with the records' own clock (spec §4)."""
    from tocsin.config import load_settings
    from tocsin.geo import load_region
    from tocsin.replay import ReplaySettings
    from tocsin.replay import replay as run_replay

    try:
        reg = load_region(region, zone_res)
        engine = load_settings(settings_file).engine_settings(
            status="Exercise", validate_cap=validate
        )
        settings = ReplaySettings(engine=engine)
        with _progress("replay") as advance:
            summary = run_replay(reg, sensors, detections, out, settings, progress=advance)
    except (TocsinError, OSError) as e:
        raise fail(e) from e
    _print_summary(summary, out)


def _progress(label: str):
    """A rich progress bar as a context manager giving a callback of the share done."""
    from contextlib import contextmanager

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    @contextmanager
    def bar():
        with Progress(
            TextColumn(f"[bold]{label}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as p:
            task = p.add_task(label, total=1.0)
            yield lambda share: p.update(task, completed=share)

    return bar()


def _print_summary(summary: dict, out: Path) -> None:
    table = Table(title=f"Replay: {out}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for k, v in summary.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a} {b}" for a, b in v.items()) or "none"
        table.add_row(k, f"{v:,}" if isinstance(v, int) else str(v))
    console.print(table)


@app.command()
def demo(
    out: Path = typer.Option(
        Path("runs/demo"), "--out", help="Where to write scenarios, runs and maps."
    ),
    seed: int = typer.Option(1, "--seed", help="Seed of the simulated night."),
    duration_min: float = typer.Option(
        60.0, "--duration-min", help="Minutes of the night to simulate."
    ),
    serve: bool = typer.Option(
        False, "--serve", help="Play a raid through the live service: map and console on 127.0.0.1."
    ),
    port: int = typer.Option(8080, "--port", help="Port of the service with --serve."),
) -> None:
    """A simulated typical night over each built-in region, end to end, as a drill."""
    if serve:
        from tocsin.commands.demo_serve import serve_demo

        try:
            serve_demo(out, seed, min(duration_min, 30.0), port)
        except (TocsinError, OSError) as e:
            raise fail(e) from e
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from tocsin.demo import DEMO_REGIONS, run_demo

    console.print(
        "[bold]Tocsin demo[/]: a simulated night over "
        f"{', '.join(DEMO_REGIONS)} (a drill: every message is marked Exercise)"
    )
    try:
        with Progress(
            TextColumn("{task.description:>10}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            tasks = {r: bar.add_task(r, total=1.0) for r in DEMO_REGIONS}
            results = run_demo(
                out,
                seed,
                duration_min,
                progress=lambda r, share: bar.update(tasks[r], completed=share),
            )
    except (TocsinError, OSError) as e:
        raise fail(e) from e
    from tocsin.publish.files import write_json

    write_json(out / "demo.json", {"regions": results})
    for res in results:
        _print_demo_region(res)
    console.print(
        f"\nEverything is under [bold]{out}/[/]: per region scenario/, run/ "
        "(alerts.jsonl, tracks.jsonl, cap/, events.sqlite, summary.json) and map.png."
    )


def _print_demo_region(res: dict) -> None:
    sc, ref, summ = res["scores"], res["scores"]["reference"], res["summary"]
    onsets = sc.get("warning_onsets", 0)
    console.rule(f"[bold]{res['title']}")
    console.print(
        f"drones {res['drones']} (reported by some sensor: {res['drones_reported']}), "
        f"records {summ['records_read']:,} (rejected {summ['records_rejected']}), "
        f"tracks confirmed {summ['tracks_confirmed']}, warning onsets {onsets:,}, "
        f"CAP messages {summ['cap_messages']:,}; replay {summ['speedup_vs_real_time']}x real time"
    )
    t = Table(title="Settlements of 5,000+ people that drones came within 3 km of")
    for col in ("settlement", "population", "threat passes", "first threat (UTC)", "warned ahead"):
        t.add_column(col, justify="left" if col == "settlement" else "right")
    for row in res["settlements"]:
        lead = "[red]not warned[/]" if row["lead_s"] is None else f"{row['lead_s'] / 60:.1f} min"
        t.add_row(
            row["settlement"],
            f"{row['population']:,}",
            str(row["passes"]),
            row["first_threat"][11:19],
            lead,
        )
    console.print(t)
    m = Table(title="Warning quality (spec §6)")
    m.add_column("metric")
    cols = {"Tocsin": sc, **{k.replace("_", "-"): v for k, v in ref.items()}}
    for col in cols:
        m.add_column(col, justify="right")
    for key in (
        "POD",
        "POD_any",
        "lead_median_s",
        "overwarn",
        "overwarn_pop",
        "false_zone_share",
        "stale_clear_s",
    ):
        m.add_row(key, *(_score_cell(d.get(key)) for d in cols.values()))
    console.print(m)
    console.print(f"map: {res['map']}")


from tocsin.commands import register  # noqa: E402  (after app and its options exist)

register(app)

if __name__ == "__main__":
    app()
