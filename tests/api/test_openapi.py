"""The OpenAPI description matches the service: every route is described, and schemathesis
finds no response that departs from it (status codes, content types, bodies) nor any 5xx."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance
from servecase import live_server


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    yield from live_server(tmp_path_factory)


# Bodies of the ingest route: JSON Lines, or any bytes at all (the route must cope).
_LINES = st.lists(
    st.dictionaries(
        st.sampled_from(["t", "sensor", "lat", "lon"]),
        st.one_of(st.integers(), st.text(max_size=8)),
    ),
    max_size=4,
)
schemathesis.openapi.media_type(
    "application/x-ndjson",
    st.one_of(_LINES.map(lambda rs: "".join(f"{json.dumps(r)}\n" for r in rs).encode()),
              st.binary(max_size=64)),
)  # fmt: skip


def test_the_service_keeps_to_its_openapi_description(live):
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    checked = []
    for result in schema.get_all_operations():
        op = result.ok()
        if op.path == "/v1/stream":  # an endless stream: see test_sse_is_described...
            continue

        @given(case=op.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def conforms(case):
            # Whether a place lies in the region is beyond what a schema can say: a
            # schema-valid subscription may rightly get 422.
            skip = [positive_data_acceptance] if case.path == "/v1/subscriptions" else []
            case.call_and_validate(timeout=10, excluded_checks=skip)

        conforms()
        checked.append(f"{op.method.upper()} {op.path}")
    assert len(checked) >= 8, checked


def test_every_route_is_in_the_openapi_description(live):
    doc = httpx.get(f"{live.url}/openapi.json").json()
    described = {(p, m.upper()) for p, ops in doc["paths"].items() for m in ops}
    app = live.server.config.app
    served = set()
    for route in _routes(app.routes):
        path = getattr(route, "path", "")
        if path.startswith(("/docs", "/redoc", "/openapi")):
            continue
        for method in set(getattr(route, "methods", None) or ()) - {"HEAD"}:
            served.add((re.sub(r"\{(\w+):\w+\}", r"{\1}", path), method))  # {seq:int}
    assert served == described
    for path, method in described:
        responses = doc["paths"][path][method.lower()]["responses"]
        assert any(code.startswith("2") for code in responses), (path, method)


def test_sse_is_described_as_an_event_stream(live):
    doc = httpx.get(f"{live.url}/openapi.json").json()
    content = doc["paths"]["/v1/stream"]["get"]["responses"]["200"]["content"]
    assert "text/event-stream" in content


def _routes(routes):
    """Every route, including those of included routers."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield r
