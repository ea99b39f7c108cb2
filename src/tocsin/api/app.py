"""The FastAPI application of ``tocsin serve``; its lifespan starts and stops the service."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from tocsin import __version__
from tocsin.api import console, incidents, ingest, ops, public, record, stats
from tocsin.api.service import Service
from tocsin.web import routes as web

DESCRIPTION = """Tocsin's live service: signed detection records in, alert decisions out
(CAP 1.2 messages and their Atom feed, alerts as JSON and GeoJSON, a Server-Sent
Events stream, subscriptions by location). Every decision is stored in the event
log before any channel sees it."""


def create_app(service: Service) -> FastAPI:
    """The app serving ``service``; the service starts with the app and stops with it."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title="Tocsin",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
    )
    app.state.service = service
    for module in (ingest, public, ops, record, incidents, stats):
        app.include_router(module.router)
    app.include_router(web.router)  # the public map
    app.include_router(console.router)  # the operator console
    return app
