"""The vectorised JSON Lines writer agrees with json and with `format_time`."""

from __future__ import annotations

import json

import numpy as np

from tocsin.sim.lines import Lit, Num, Str, lines_bytes
from tocsin.sim.write import time_text
from tocsin.times import format_time


def test_numbers_parse_back_to_their_rounded_values():
    rng = np.random.default_rng(1)
    v = np.r_[rng.normal(0.0, 1e4, 5000), 0.0, -0.0, 0.0004, -0.0004, 9.9996, -123456.78]
    where = rng.random(len(v)) < 0.8
    where[-6:] = True
    text = lines_bytes(
        len(v), [Lit(b'{"a": 1'), Lit(b', "v": ', where), Num(v, 3, where), Lit(b"}")]
    )
    rows = [json.loads(line) for line in text.decode().splitlines()]
    assert len(rows) == len(v)
    for r, x, w in zip(rows, v, where, strict=True):
        assert ("v" in r) == w
        if w:
            assert abs(r["v"] - x) <= 0.0005 + 1e-9
    assert [r["v"] for r in rows[-6:]] == [0.0, 0.0, 0.0, 0.0, 10.0, -123456.78]


def test_strings_and_zero_padding():
    ids = np.array(["U1", "U1000", "R2"], dtype=object)
    n = np.array([7, 42, 0])
    text = lines_bytes(3, [Str(ids), Lit(b"-"), Num(n, 0, min_digits=3)])
    assert text == b"U1-007\nU1000-042\nR2-000\n"
    assert lines_bytes(0, [Str(ids[:0]), Num(n[:0], 1)]) == b""


def test_times_match_format_time():
    rng = np.random.default_rng(2)
    t = 1795554000.0 + np.r_[rng.uniform(0, 86_400 * 3, 3000), 0.0, 0.0005, 59.9995, 0.25]
    got = time_text(t).decode().splitlines()
    assert got == [format_time(x) for x in t]
