"""Application factory: engine, migrations, schema registry, routers and the worker."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from feedsvc import __version__
from feedsvc.admin.router import router as admin_router
from feedsvc.admin.schemas import Throttling
from feedsvc.admin.service import AdminError, stored_admin_token
from feedsvc.clock import Clock, SystemClock
from feedsvc.config import Settings
from feedsvc.db.engine import (
    make_engine,
    make_sessionmaker,
    transaction,
    write_without_waiting,
)
from feedsvc.db.migrate import upgrade
from feedsvc.errors import InvalidAddress, MethodNotAllowed
from feedsvc.metrics import Metrics
from feedsvc.mws.router import MwsApi
from feedsvc.queue.worker import Worker
from feedsvc.service_clock import ServiceClock
from feedsvc.xml.schemas import SchemaRegistry

log = logging.getLogger(__name__)

DESCRIPTION = """\
feedsvc speaks the Amazon MWS Feeds API (SubmitFeed, GetFeedSubmissionList,
GetFeedSubmissionCount, CancelFeedSubmissions, GetFeedSubmissionResult) for order
feeds, and offers an admin JSON API to set up sellers and orders and inspect what
the feeds did to them.
"""


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
) -> FastAPI:
    """Build the service; the worker thread starts with the app when ``run_worker`` is set."""
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    sessions = make_sessionmaker(engine)
    service_clock = ServiceClock(engine, base=clock or SystemClock())
    with transaction(sessions) as session:
        admin_token = settings.admin_token or stored_admin_token(session)
    schemas = SchemaRegistry()
    metrics = Metrics()
    metrics.watch_queue(sessions)
    worker = Worker.from_settings(sessions, clock=service_clock, settings=settings, metrics=metrics)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        thread = None
        if settings.run_worker:
            thread = threading.Thread(target=worker.run, name="feedsvc-worker", daemon=True)
            thread.start()
        try:
            yield
        finally:
            worker.stop()
            if thread is not None:
                thread.join(timeout=30)
            engine.dispose()

    app = FastAPI(title="feedsvc", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.clock = service_clock
    app.state.admin_token = admin_token
    app.state.default_throttling = Throttling.default(
        settings.default_throttling, settings.default_throttling_speed
    )
    app.state.worker = worker

    mws = MwsApi(
        sessions,
        clock=service_clock,
        schemas=schemas,
        max_feed_bytes=settings.max_feed_bytes,
        verify_signatures=settings.verify_signatures,
        on_enqueue=worker.wake,
        metrics=metrics,
        in_memory_validation_bytes=settings.in_memory_validation_bytes,
        write_lane=lambda: write_without_waiting(engine),
    )
    app.state.mws = mws
    # The MWS routes first: every MWS request matches them without trying the admin API's.
    app.include_router(mws.router())
    app.include_router(admin_router)

    @app.get("/health", tags=["operations"])
    def health() -> JSONResponse:
        """Whether the service can reach its database (503 when it cannot)."""
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            log.warning("health check failed", extra={"error": str(exc)})
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    def prometheus() -> PlainTextResponse:
        """Prometheus metrics of this process, and the queue as the database sees it."""
        return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.exception_handler(AdminError)
    async def _admin_error(_request: Request, error: AdminError) -> Response:
        body: dict[str, object] = {"detail": error.detail}
        if error.status == 422:
            # Shaped like FastAPI's own validation errors, as openapi.yaml documents 422.
            body = {"detail": [{"loc": ["body"], "msg": error.detail, "type": "value_error"}]}
        if error.result_code is not None:
            body["result_code"] = error.result_code
        return JSONResponse(body, status_code=error.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        if not request.url.path.startswith("/admin"):
            if error.status_code == 405:
                response = mws.error_response(
                    MethodNotAllowed(f"The MWS API takes GET or POST, not {request.method}.")
                )
                response.headers["Allow"] = "GET, POST"
                return response
            if error.status_code == 404:
                return mws.error_response(
                    InvalidAddress(f"There is no MWS API at {request.url.path}.")
                )
        return JSONResponse(
            {"detail": error.detail}, status_code=error.status_code, headers=error.headers
        )

    return app
