"""The demo's work for one region, on a short night: files, map and the officer's figures."""

from tocsin.demo import run_region


def test_one_region_night_gives_run_map_and_figures(tmp_path):
    res = run_region("belgorod", tmp_path, seed=2, duration_min=30.0)
    base = tmp_path / "belgorod"
    for name in ("alerts.jsonl", "tracks.jsonl", "summary.json", "events.sqlite"):
        assert (base / "run" / name).is_file()
    assert (base / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert res["drones"] == 40 and 0 < res["drones_reported"] <= 40
    scores = res["scores"]
    assert scores["passes"] > 0 and scores["reference"]["oracle"]["overwarn"] == 1.0
    assert (
        scores["overwarn"] is None
        or scores["overwarn"] < scores["reference"]["region_wide"]["overwarn"]
    )
    for row in res["settlements"]:
        assert row["population"] >= 5000 and row["passes"] >= 1
        assert row["lead_s"] is None or row["lead_s"] >= 0
