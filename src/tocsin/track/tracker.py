"""The multi-sensor multi-target tracker: association, update, initiation, deletion."""

from __future__ import annotations

from operator import attrgetter

import numpy as np

from tocsin.messages import Detection, Sensor, TrackConfirmed, TrackDeleted
from tocsin.track import imm, kalman
from tocsin.track.associate import GnnAssociator, within
from tocsin.track.bearings import BearingStarts
from tocsin.track.confirm import confirmed, hit_llr, surprise
from tocsin.track.hearing import NodeReports, bearing_of
from tocsin.track.initiate import Initiator, speed_gate
from tocsin.track.lifetime import SilenceLimits
from tocsin.track.measure import (
    bearing_measurements,
    h_matrix,
    heard_measurements,
    linear_measurements,
    model_of,
    reach_m,
)
from tocsin.track.merge import shadowed
from tocsin.track.settings import TrackerSettings
from tocsin.track.table import CONFIRMED, DELETED, TENTATIVE, TrackTable
from tocsin.track.trails import Trails
from tocsin.track.trust import ReporterLimiter
from tocsin.types import FloatArray, IntArray


class MultiSensorTracker:
    """Tracks drones from radar plots, acoustic reports, sightings and external tracks."""

    def __init__(self, sensors: dict[str, Sensor], settings: TrackerSettings | None = None) -> None:
        self.settings = settings or TrackerSettings()
        self.table = TrackTable(mu0=self.settings.models.mu0)
        self.associator = GnnAssociator()
        self.initiator = Initiator()
        self.bearings = BearingStarts(self.initiator, self.settings.single_bearing_start)
        self.limiter = ReporterLimiter()
        self.trails = Trails(self.settings.trail_plots)
        # recent_sensors' answers: row -> (hits then, from, until, sensors)
        self._recent: dict[int, tuple[int, float, float, tuple[str, ...]]] = {}
        self.lifetime = SilenceLimits(sensors, self.settings)
        self.hearing = NodeReports(
            min_reports=self.settings.acoustic_persist_reports,
            keep_s=self.settings.confirm_window_s + 10.0,
        )

    # -- one batch of detections --------------------------------------------------------

    def process(self, dets: list[Detection]) -> list[TrackConfirmed]:
        """Fuse a batch of detections (any order); returns the tracks it confirmed."""
        groups: dict[tuple[str, str], list[Detection]] = {}
        for d in sorted(self.limiter.admit(dets), key=attrgetter("t_s", "seq")):
            groups.setdefault((d.sensor, model_of(d)), []).append(d)
            if d.kind == "acoustic":
                self.hearing.log(d)
        confirmed: list[TrackConfirmed] = []
        for (_, model), group in groups.items():
            confirmed += self._process_group(group, model)
        return confirmed

    def _process_group(self, dets: list[Detection], model: str) -> list[TrackConfirmed]:
        tab, s = self.table, self.settings
        radar = dets[0].kind == "radar"  # a batch is one sensor's
        t_list = [d.t_s for d in dets]
        t_det, t_ref = np.array(t_list), _median(t_list)
        gate = self.associator.gate_d2
        if model == "bearing":
            meas = bearing_measurements(dets)
            det_xy = meas[2]
            det_r = np.array([reach_m(d, gate) for d in dets])
        else:
            meas = linear_measurements(dets, model)
            det_xy = meas[0][:, :2]
            det_r = np.sqrt(gate) * kalman.major_sigma_m(meas[1])
        live, pairs = self._near(det_xy, t_ref, self.associator.max_track_reach_m + det_r.max())
        dt = np.maximum(t_ref - tab.t_s[live], 0.0)
        px, pP = kalman.predict(tab.states[live], tab.covs[live], dt, s.q_h_m2ps3, s.q_v_m2ps3)
        trk_r = np.sqrt(gate) * kalman.major_sigma_m(pP)
        trks, cand = self.associator.candidates(px[:, :2], trk_r, det_xy, det_r, pairs)
        if model != "bearing" and len(trks):
            trks, cand = self._speed_gate(live[trks], trks, cand, det_xy, det_r, t_det)
        if model == "bearing":
            trks, cand = self.bearings.leave_lone(tab, live, trks, cand, dets[0].sensor)
            b, sig, nodes = meas
            ti, dj, contested = self.associator.assign_bearing(
                px, pP, b, sig, nodes, s.sound_mps, trks, cand
            )
            withheld = np.zeros(len(ti), bool)
        else:
            z, R = meas
            # A contested plot goes to a confirmed track rather than a tentative one
            # that fits it about as well: the tentative one may be clutter or a copy.
            extra = None
            if radar:
                extra = np.where(tab.status[live] == TENTATIVE, s.tentative_cost, 0.0)
            # Only a radar's plots are sharp enough to swap two drones' tracks; a node's
            # report fits two drones it hears about as well, and both are to take it.
            ti, dj, contested, withheld = self.associator.assign_linear(
                px, pP, z, R, h_matrix(model), trks, cand, extra, withhold=radar
            )
        assigned = np.zeros(len(dets), bool)
        assigned[dj] = True  # a withheld plot too: it is one of two tracks' drones
        if withheld.any():
            ti, dj, contested = ti[~withheld], dj[~withheld], contested[~withheld]
        ks = live[ti]
        fresh = t_det[dj] >= tab.t_s[ks] - s.out_of_order_tolerance_s
        if fresh.any():
            sub = dj[fresh]
            group = [dets[j] for j in sub.tolist()]
            t_new = t_det[sub]
            # Plots taken at t_ref update the very predictions they were assigned with.
            prior = (px[ti[fresh]], pP[ti[fresh]]) if (t_new == t_ref).all() else None
            self._update(ks[fresh], group, t_new, model, [m[sub] for m in meas], prior)
            if radar and s.trail_exchange_cost > 0:
                self._exchange(ks[fresh], t_ref)
        for k, j in zip(ks[~fresh].tolist(), dj[~fresh].tolist(), strict=True):
            # Older than the track's estimate: never applied as if new; it only
            # names its sensor as one that saw this drone.
            tab.evidence[k].sensors.add(dets[j].sensor)
        # A radar plot another track fits about as well confirms nothing yet: in a
        # formation, a new track's first plots may be its neighbours'. Up to a point:
        # two drones flying closer than the plots' errors stay contested for good.
        unsure = contested & radar
        if unsure.any():
            wait = s.confirm_min_hits + s.contested_wait_hits
            unsure[unsure] = [len(tab.evidence[k].hits) < wait for k in ks[unsure].tolist()]
        confirmed = self._confirm(ks[fresh & ~unsure], t_det[dj][fresh & ~unsure])
        left = [dets[j] for j in np.flatnonzero(~assigned).tolist()]
        if model == "bearing":
            for d in left:
                self.bearings.start(tab, d)
        elif left:
            self._initiate(left)
        return confirmed

    def _exchange(self, ks: IntArray, t_ref: float) -> None:
        """Let young tracks ks, just fed a radar scan's plots, trade the plots they took
        wrongly (track/trails.py), each restarted from its new history's straight line."""
        tab, s = self.table, self.settings
        for a, b, xa, Pa, xb, Pb in self.trails.exchanges(
            ks, t_ref, s.trail_radius_m, s.trail_exchange_cost, s.trail_min_plots, s.max_speed_mps
        ):
            for k, x4, P4 in ((a, xa, Pa), (b, xb, Pb)):
                F = np.eye(4)
                F[0, 2] = F[1, 3] = tab.t_s[k] - t_ref
                x, P = tab.states[k].copy(), tab.covs[k].copy()
                P[_GROUND, :] = P[:, _GROUND] = 0.0
                x[_GROUND] = F @ x4
                P[np.ix_(_GROUND, _GROUND)] = F @ P4 @ F.T
                tab.restart(k, x, P, float(tab.t_s[k]))

    def _speed_gate(self, ks, trks, cand, det_xy, det_r, t_det) -> tuple[IntArray, IntArray]:
        """Candidate pairs (trks, cand) less those of tracks started from one plot, with
        no speed yet, whose plot lies farther than a drone can fly (initiate.speed_gate)."""
        tab, s = self.table, self.settings
        at = np.flatnonzero(tab.covs[ks, 3, 3] >= 0.99 * self.initiator.sigma_speed_mps**2)
        at = at[[len(tab.evidence[k].hits) == 1 for k in ks[at].tolist()]]
        if len(at) == 0:
            return trks, cand
        k, j = ks[at], cand[at]
        gap = np.hypot(*(det_xy[j] - tab.states[k, :2]).T)
        # det_r is the plot's gate reach: sqrt(gate) of its own one-sigma error.
        sigma = np.hypot(
            kalman.major_sigma_m(tab.covs[k]), det_r[j] / np.sqrt(self.associator.gate_d2)
        )
        dt = np.maximum(t_det[j] - tab.t_s[k], 0.0)
        ok = np.ones(len(trks), bool)
        ok[at] = speed_gate(gap, dt, sigma, s.max_speed_mps)
        return trks[ok], cand[ok]

    def _near(
        self, det_xy: FloatArray, t_s: float, radius_m: float
    ) -> tuple[IntArray, tuple[IntArray, IntArray, FloatArray]]:
        """Live tracks whose predicted position at t_s is within radius_m of a detection:
        the only ones worth predicting in full for this group (a cheap superset of the
        candidates, which are capped at the associator's reach plus the plot's). Also
        those pairs (index into the tracks returned, detection, distance): the
        associator's candidates are among them."""
        tab = self.table
        live = tab.live()
        if len(live) == 0 or len(det_xy) == 0:
            return live[:0], (live[:0], live[:0], np.zeros(0))
        dt = np.maximum(t_s - tab.t_s[live], 0.0)
        xy = tab.states[live, :2] + tab.states[live, 3:5] * dt[:, None]
        # Positions as kalman.predict moves them, so the distances are the candidates' own.
        i, j, gap = within(xy, det_xy, radius_m)
        near = np.zeros(len(live), bool)
        near[i] = True
        return live[near], ((np.cumsum(near) - 1)[i], j, gap)

    def _update(self, ks: IntArray, group: list[Detection], t_new: FloatArray, model: str,
                meas: list[FloatArray], prior=None) -> None:  # fmt: skip
        """Update tracks ks with their detections (group, taken at t_new); prior, when
        given, is their states and covariances already predicted to t_new."""
        tab, s = self.table, self.settings
        dt = np.maximum(t_new - tab.t_s[ks], 0.0)
        if prior is None:
            prior = kalman.predict(tab.states[ks], tab.covs[ks], dt, s.q_h_m2ps3, s.q_v_m2ps3)
        x, P = prior
        if model == "bearing":
            b, sig, nodes = meas
            llr = d2 = np.zeros(len(ks))
        else:
            z, R = meas
            llr, d2 = hit_llr(x, P, z, R, group, s)
            if model == "xy" and s.heard_within_range and group[0].kind == "acoustic":
                z, R, _ = heard_measurements(x, group)
        if s.motion == "imm":
            if model == "bearing":
                update = imm.bearing_update(b, nodes, sig, s.sound_mps)
            else:
                update = imm.linear_update(z, h_matrix(model), R)
            xm, Pm, mu = imm.step(
                tab.model_states[ks], tab.model_covs[ks], tab.mu[ks], dt, s.models, update
            )
            off, var = surprise(d2, ks, tab.evidence, s)  # none for bearings (d2 0)
            Pm[off, :, 3, 3] += var[:, None]
            Pm[off, :, 4, 4] += var[:, None]
            tab.model_states[ks], tab.model_covs[ks], tab.mu[ks] = xm, Pm, mu
            tab.states[ks], tab.covs[ks] = imm.combine(xm, Pm, mu)
        elif model == "bearing":
            xb, Pb = kalman.update_bearing(x, P, b, nodes, sig, s.sound_mps)
            if s.heard_within_range:  # a bearing is heard too: the drone is within range
                xb, Pb = self._within_range(xb, Pb, group)
            tab.states[ks], tab.covs[ks] = xb, Pb
        else:
            tab.states[ks], tab.covs[ks] = kalman.update_linear(x, P, z, h_matrix(model), R)
            off, var = surprise(d2, ks, tab.evidence, s)
            tab.covs[ks[off], 3, 3] += var
            tab.covs[ks[off], 4, 4] += var
        tab.t_s[ks] = np.maximum(t_new, tab.t_s[ks])
        tab.last_update_s[ks] = np.maximum(t_new, tab.last_update_s[ks])
        if model != "bearing" and group[0].kind == "radar":
            self.trails.add(ks, t_new, meas[0], meas[1])
        else:
            self.trails.stop(ks)
        evidence = tab.evidence
        for k, d, lr in zip(ks.tolist(), group, llr.tolist(), strict=True):
            ev = evidence[k]
            ev.update(d.t_s, d.sensor, d.kind, lr)
            if d.bearing_deg is not None:
                ev.bearings.append(bearing_of(d))
            if d.kind == "sighting":
                ev.reporters.append((d.t_s, _reporter(d)))

    def _within_range(self, x: FloatArray, P: FloatArray, group: list[Detection]):
        """States (M, 6) and covariances (M, 6, 6) of tracks that group's bearings
        updated, drawn back within each node's range where they went beyond it."""
        z, R, out = heard_measurements(x, group)
        if not out.any():
            return x, P
        x, P = x.copy(), P.copy()
        x[out], P[out] = kalman.update_linear(x[out], P[out], z[out], h_matrix("xy"), R[out])
        return x, P

    def _confirm(self, ks: IntArray, t_s: FloatArray) -> list[TrackConfirmed]:
        """Confirm the tentative tracks whose recent evidence is strong enough (confirm.py)."""
        tab, out = self.table, []
        tentative = tab.status[ks] == TENTATIVE
        for k, t in zip(ks[tentative].tolist(), t_s[tentative].tolist(), strict=True):
            ev, speed = tab.evidence[k], float(np.hypot(tab.states[k, 3], tab.states[k, 4]))
            if confirmed(ev, float(t), speed, self.settings, self.lifetime.periods, self.hearing):
                tab.status[k] = CONFIRMED
                out.append(
                    TrackConfirmed(
                        track=tab.ids[k], t_s=float(t), sensors=tuple(sorted(ev.sensors))
                    )
                )
        return out

    def _initiate(self, dets: list[Detection]) -> None:
        """Start a track on each of dets (position-like detections)."""
        x, P = self.initiator.from_detections(dets)
        ks = self.table.add_many(
            x, P, [d.t_s for d in dets], [d.sensor for d in dets], [d.kind for d in dets]
        )
        for k, d in zip(ks.tolist(), dets, strict=True):
            if d.kind == "sighting":
                self.table.evidence[k].reporters.append((d.t_s, _reporter(d)))
        radar = np.array([d.kind == "radar" for d in dets])
        if radar.any():
            z, R = x[radar, :2], P[radar, :2, :2]  # a new track is at its plot
            self.trails.start(ks[radar], np.array([d.t_s for d in dets])[radar], z, R)

    # -- the passing of time ------------------------------------------------------------

    def maintain(self, now_s: float) -> list[TrackDeleted]:
        """Drop tracks that have been silent too long for where they are, or are lost."""
        tab, s = self.table, self.settings
        live = tab.live()
        if len(live) == 0:
            return []
        # Tracks updated at now_s are where the table has them (often most of a scan's):
        # only the others are predicted. States and covariances here only decide.
        x, P = tab.states[live], tab.covs[live]
        moving = tab.t_s[live] < now_s
        x[moving], P[moving] = self.predicted(live[moving], now_s)
        sigma = np.sqrt(np.maximum(P[:, 0, 0], P[:, 1, 1]))
        silence = now_s - tab.last_update_s[live]
        limit = self.lifetime.limits_s(tab, live, x[:, :2], sigma)
        confirmed = np.flatnonzero(tab.status[live] == CONFIRMED)
        dup = np.zeros(len(live), bool)
        c = live[confirmed]
        dup[confirmed] = shadowed(
            x[confirmed], P[confirmed], silence[confirmed], s.shadowed_silence_s, s.fresh_s,
            tab.born_s[c], tab.last_update_s[c], s.shadow_together_s,
        )  # fmt: skip
        out = []
        for i in np.flatnonzero((silence > limit) | (sigma > s.max_sigma_m) | dup).tolist():
            k = int(live[i])
            was = bool(tab.status[k] == CONFIRMED)
            tab.alive[k], tab.status[k] = False, DELETED
            self._recent.pop(k, None)
            reason = "shadowed" if dup[i] else "silence" if silence[i] > limit[i] else "uncertainty"
            out.append(TrackDeleted(track=tab.ids[k], t_s=now_s, reason=reason, was_confirmed=was))
        return out

    def predicted(self, idx: IntArray, t_s: float) -> tuple[FloatArray, FloatArray]:
        """States and covariances of tracks idx predicted to t_s; the table is unchanged."""
        tab, s = self.table, self.settings
        return kalman.predict(
            tab.states[idx],
            tab.covs[idx],
            np.maximum(t_s - tab.t_s[idx], 0.0),
            s.q_h_m2ps3,
            s.q_v_m2ps3,
        )

    def recent_sensors(self, k: int, t_s: float) -> tuple[str, ...]:
        """Sensors that updated track k within the confirmation window before t_s.

        Asked for every live track at every step: an answer is kept until the track
        takes a hit or the first of its sensors falls out of the window."""
        ev = self.table.evidence[k]
        kept = self._recent.get(k)
        if kept is not None and kept[0] == len(ev.hits) and kept[1] <= t_s <= kept[2]:
            return kept[3]
        window_s = self.settings.confirm_window_s
        lo = t_s - window_s
        tolerance_s = self.settings.out_of_order_tolerance_s
        if ev.lag_s <= tolerance_s:  # in time order within the tolerance: the newest suffice
            times = [t for t in ev.latest_s.values() if t >= lo]
            out = tuple(sorted(s for s, t in ev.latest_s.items() if t >= lo))
            if self.table.alive[k]:
                self._recent[k] = (len(ev.hits), t_s, min(times, default=t_s) + window_s, out)
            return out
        stop = lo - tolerance_s
        seen = set()
        for h in reversed(ev.hits):  # hits come in time order, within
            if h[0] < stop:  # the out-of-order tolerance: the recent ones are at the end
                break
            if h[0] >= lo:
                seen.add(h[1])
        return tuple(sorted(seen))

    def sighted(self) -> IntArray:
        """Rows of live tentative tracks that reports from the public started or fed:
        too unsure to warn from, enough to tell the zones ahead to be ready."""
        tab = self.table
        live = tab.live()
        tent = live[tab.status[live] == TENTATIVE]
        return tent[[bool(tab.evidence[k].reporters) for k in tent.tolist()]]

    @property
    def n_confirmed(self) -> int:
        return int(np.count_nonzero(self.table.status[: self.table.n] == CONFIRMED))

    def sigma_m(self, covs: FloatArray) -> FloatArray:
        """One-sigma horizontal error: the major semi-axis of each position covariance."""
        return kalman.major_sigma_m(covs)


_GROUND = [0, 1, 3, 4]  # state rows of the ground position and velocity


def _median(values: list[float]) -> float:
    """The median as np.median gives it (the mean of the middle two of an even count),
    without its fixed cost, which is most of a small batch's.

    >>> _median([3.0, 1.0, 2.0]), _median([4.0, 1.0, 2.0, 3.0])
    (2.0, 2.5)
    """
    s, half = sorted(values), len(values) // 2
    return s[half] if len(s) % 2 else (s[half - 1] + s[half]) / 2


def _reporter(d: Detection) -> str:
    """Who made a sighting; each anonymous report counts as a person of its own."""
    return d.reporter or f"anonymous@{d.sensor}#{d.seq}"
