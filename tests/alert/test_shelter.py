import json

import numpy as np
import pytest

from tocsin.alert.shelter import ShelterSettings, shelter_times
from tocsin.alert.state import AlertPolicy, ZoneAlerts
from tocsin.errors import InputError


def test_default_shelter_time_follows_population_density(belgorod):
    s = ShelterSettings()
    t = shelter_times(belgorod, s)
    z = belgorod.zones
    density = z.population / z.area_km2()
    assert t.shape == (len(z),)
    assert (t[density >= s.city_per_km2] == s.city_s).all()
    assert (t[density < s.town_per_km2] == s.village_s).all()
    assert (t == s.city_s).any() and (t == s.village_s).any()


def test_a_file_sets_times_per_settlement_and_per_zone(belgorod, tmp_path):
    place = str(belgorod.settlements.names[0])
    z_place = int(belgorod.settlements.zone[0])
    other = next(i for i in range(len(belgorod.zones)) if i != z_place)
    f = tmp_path / "shelter.json"
    doc = {"settlements": {place: 420}, "zones": {belgorod.zones.ids[other]: 600}}
    f.write_text(json.dumps(doc))
    t = shelter_times(belgorod, ShelterSettings(file=f))
    assert t[z_place] == 420.0 and t[other] == 600.0


@pytest.mark.parametrize(
    ("doc", "names"),
    [
        ({"zones": {"nope": 60}}, "'nope'"),
        ({"settlements": {"Atlantis": 60}}, "'Atlantis'"),
        ({"zones": {"871196426ffffff": -5}}, "zones: '871196426ffffff'"),
        ({"zones": {"871196426ffffff": "a minute"}}, "seconds"),
        ({"cities": {}}, "'zones'"),
    ],
)
def test_a_bad_shelter_file_is_refused_naming_the_entry(belgorod, tmp_path, doc, names):
    f = tmp_path / "shelter.json"
    f.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=names):
        shelter_times(belgorod, ShelterSettings(file=f))


def test_a_zone_with_a_long_shelter_time_is_warned_that_much_earlier():
    a = ZoneAlerts(["a", "b"], AlertPolicy(warning_horizon_s=300.0), shelter_s=[600.0, 60.0])
    onset = {}
    for t in range(0, 700):
        eta = np.array([900.0 - t, 900.0 - t])
        threat = (np.array([0, 1], np.int64), eta, None)
        for c in a.step(float(t), {"warning": threat}, lambda z: ("T1",)):
            if c.event == "onset":
                onset[c.zone] = c.eta_s
    assert onset == {"a": 600.0, "b": 300.0}  # never less than the warning horizon
