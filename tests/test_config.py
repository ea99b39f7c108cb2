"""Settings: file, then environment, then command line; every mistake names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.config import ConfigError, Settings, load_settings


def test_defaults_are_a_local_drill():
    s = load_settings(env={})
    assert s == Settings()
    assert (s.server.host, s.server.port, s.cap.status) == ("127.0.0.1", 8080, "Exercise")


def test_file_then_environment_then_overrides(tmp_path):
    path = tmp_path / "tocsin.toml"
    path.write_text(
        'data_dir = "/srv/a"\n[server]\nport = 9000\nhost = "0.0.0.0"\n'
        '[cap]\nlanguages = ["en-US"]\nstatus = "Actual"\n[timeouts]\ntick_s = 0.5\n'
    )
    env = {"TOCSIN_SERVER_PORT": "9100", "TOCSIN_DATA_DIR": "/srv/b", "HOME": "/root"}
    s = load_settings(path, env, {"server.port": 9200, "region.name": None})
    assert s.server.port == 9200 and s.server.host == "0.0.0.0"
    assert s.data_dir == Path("/srv/b")
    assert s.cap.languages == ("en-US",) and s.cap.status == "Actual"
    assert s.timeouts.tick_s == 0.5


def test_lists_and_booleans_from_the_environment():
    s = load_settings(env={"TOCSIN_CAP_LANGUAGES": "ru-RU, en-US"})
    assert s.cap.languages == ("ru-RU", "en-US")


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"TOCSIN_SERVER_PORTS": "1"}, "'server.ports'"),
        ({"TOCSIN_SERVER_PORT": "eighty"}, "'server.port' must be an integer"),
        ({"TOCSIN_SERVER_PORT": "70000"}, "'server.port'"),
        ({"TOCSIN_CAP_STATUS": "Real"}, "'cap.status'"),
        ({"TOCSIN_INGEST_MAX_SKEW_S": "-1"}, "'ingest.max_skew_s'"),
        ({"TOCSIN_INGEST_NONCE_WINDOW_S": "10"}, "'ingest.nonce_window_s'"),
        ({"TOCSIN_TIMEOUTS_TICK_S": "0"}, "'timeouts.tick_s'"),
        ({"TOCSIN_NOPE": "1"}, "'nope'"),
    ],
)
def test_bad_settings_name_the_key(env, names):
    with pytest.raises(ConfigError, match=names):
        load_settings(env=env)


def test_bad_files_name_the_file_and_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[server]\nport = 1.5\n")
    with pytest.raises(ConfigError, match=r"bad.toml: 'server.port' must be an integer"):
        load_settings(bad, {})
    bad.write_text("[servr]\nport = 1\n")
    with pytest.raises(ConfigError, match="unknown settings section 'servr'"):
        load_settings(bad, {})
    bad.write_text("[server\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad, {})
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "missing.toml", {})


def test_the_warning_policy_knobs_are_settings(tmp_path):
    path = tmp_path / "tocsin.toml"
    path.write_text(
        "[reach]\np_warn = 0.7\nk_cross = 1.0\n[policy]\nwarning_horizon_s = 360\n"
        '[shelter]\ncity_s = 420\nfile = "shelter.json"\n[engine]\nfresh_s = 20\n'
    )
    s = load_settings(path, {"TOCSIN_POLICY_HOLD_S": "60"})
    e = s.engine_settings(validate_cap=True)
    assert (e.reach.p_warn, e.reach.k_cross, e.policy.warning_horizon_s) == (0.7, 1.0, 360.0)
    assert (e.policy.hold_s, e.shelter.city_s, e.shelter.file) == (
        60.0,
        420.0,
        Path("shelter.json"),
    )
    assert (e.fresh_s, e.status, e.validate_cap) == (20.0, "Exercise", True)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"TOCSIN_REACH_P_WARN": "1.5"}, "reach.p_warn"),
        ({"TOCSIN_POLICY_HOLD_S": "-1"}, "policy.hold_s"),
        ({"TOCSIN_POLICY_WARNING_HORIZON_S": "1000"}, "policy.advisory_horizon_s"),
        ({"TOCSIN_REACH_HORIZON_S": "600"}, "reach.horizon_s"),
        ({"TOCSIN_ENGINE_FRESH_S": "nan"}, "engine.fresh_s"),
    ],
)
def test_bad_policy_knobs_name_the_key(env, names):
    with pytest.raises(ConfigError, match=names):
        load_settings(env=env)
