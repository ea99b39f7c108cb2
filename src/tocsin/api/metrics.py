"""Prometheus metrics of the live service, in a registry of its own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
_LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0)


class ServiceMetrics:
    """Every figure ``/metrics`` shows; each service has its own registry."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.records = Counter(
            "tocsin_records", "Detection records received, by outcome", ["outcome"], registry=r
        )
        self.records_rejected = Counter(
            "tocsin_records_rejected", "Records rejected one by one, by reason", ["reason"],
            registry=r,
        )  # fmt: skip
        self.requests_rejected = Counter(
            "tocsin_requests_rejected", "Ingest requests refused as a whole, by reason",
            ["reason"], registry=r,
        )  # fmt: skip
        self.tracks = Gauge("tocsin_tracks", "Live tracks, by status", ["status"], registry=r)
        self.alerts = Gauge("tocsin_alerts_active", "Zones under alert, by level", ["level"],
                            registry=r)  # fmt: skip
        self.alert_changes = Counter(
            "tocsin_alert_changes", "Alert changes decided", ["level", "event"], registry=r
        )
        self.cap_messages = Counter("tocsin_cap_messages", "CAP messages issued", registry=r)
        self.step_seconds = Histogram(
            "tocsin_engine_step_seconds", "Wall time of one engine step", registry=r,
            buckets=_LATENCY_BUCKETS_S,
        )  # fmt: skip
        self.publish_latency = Histogram(
            "tocsin_publish_latency_seconds",
            "From the arrival of the newest record a decision used to its hand-over to channels",
            registry=r, buckets=_LATENCY_BUCKETS_S,
        )  # fmt: skip
        self.record_latency = Histogram(
            "tocsin_record_latency_seconds",
            "From the arrival of the oldest record a step took to the end of that step",
            registry=r, buckets=_LATENCY_BUCKETS_S,
        )  # fmt: skip
        self.queue_depth = Gauge("tocsin_queue_depth", "Items waiting, by queue", ["queue"],
                                 registry=r)  # fmt: skip
        self.sse_clients = Gauge("tocsin_sse_clients", "Connected SSE clients", registry=r)
        self.subscribers = Gauge("tocsin_subscribers", "Registered subscribers", registry=r)
        self.fanout = Counter(
            "tocsin_fanout_subscribers", "Subscribers handed to the push gateway", registry=r
        )
        self.fanout_seconds = Histogram(
            "tocsin_fanout_seconds", "Wall time of one fan-out", registry=r,
            buckets=_LATENCY_BUCKETS_S,
        )  # fmt: skip

    def render(self) -> bytes:
        return generate_latest(self.registry)
