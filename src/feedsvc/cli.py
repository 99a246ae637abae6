"""The ``feedsvc`` command: serve | worker | db upgrade | seed | admin-token."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from types import FrameType

from prometheus_client import start_http_server
from pydantic import ValidationError

from feedsvc import logs
from feedsvc.admin import schemas
from feedsvc.admin.orders import OrderAdmin
from feedsvc.admin.sellers import SellerAdmin
from feedsvc.admin.service import AdminError, stored_admin_token
from feedsvc.config import Settings
from feedsvc.db.engine import make_engine, make_sessionmaker, transaction
from feedsvc.db.migrate import upgrade
from feedsvc.metrics import Metrics
from feedsvc.queue.worker import Worker
from feedsvc.service_clock import ServiceClock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="feedsvc", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API with an in-process worker")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="run the API alone")
    worker_command = commands.add_parser("worker", help="run a worker alone on the same database")
    worker_command.add_argument(
        "--metrics-port", type=int, default=None, help="serve Prometheus metrics on this port"
    )
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    seed = commands.add_parser("seed", help="load sellers and orders from a JSON file")
    seed.add_argument("file", type=Path)
    commands.add_parser("admin-token", help="print the admin API token")
    commands.add_parser("openapi", help="print the OpenAPI document as YAML (openapi.yaml)")
    args = parser.parse_args(argv)

    settings = Settings()
    logs.configure(settings.log_format)
    if args.command == "serve":
        return _serve(settings, args.host, args.port, run_worker=not args.no_worker)
    if args.command == "worker":
        return _worker(settings, metrics_port=args.metrics_port)
    if args.command == "db":
        upgrade(make_engine(settings.database_url))
        print("database is at the newest revision")
        return 0
    if args.command == "seed":
        return _seed(settings, args.file)
    if args.command == "openapi":
        return _print_openapi()
    return _print_admin_token(settings)


def _serve(settings: Settings, host: str, port: int, *, run_worker: bool) -> int:
    import uvicorn

    from feedsvc.main import create_app

    settings = settings.model_copy(update={"run_worker": run_worker})
    app = create_app(settings)
    source = "FEEDSVC_ADMIN_TOKEN" if settings.admin_token else "generated, kept in the database"
    print(f"feedsvc admin token ({source}): {app.state.admin_token}", flush=True)
    uvicorn.run(app, host=host, port=port, log_config=None)
    return 0


def _worker(settings: Settings, *, metrics_port: int | None) -> int:
    stopping = False

    def _stop_early(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    # Installed before the migrations run, so an early SIGTERM still exits cleanly.
    signal.signal(signal.SIGTERM, _stop_early)
    signal.signal(signal.SIGINT, _stop_early)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    if stopping:
        engine.dispose()
        return 0
    sessions = make_sessionmaker(engine)
    metrics = Metrics()
    if metrics_port is not None:
        metrics.watch_queue(sessions)
        start_http_server(metrics_port, addr="127.0.0.1", registry=metrics.registry)
    worker = Worker.from_settings(
        sessions, clock=ServiceClock(engine), settings=settings, metrics=metrics
    )

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        worker.stop_from_signal()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if stopping:  # a signal that came while the worker was being built
        worker.stop_from_signal()
    worker.run()
    engine.dispose()
    return 0


def _seed(settings: Settings, path: Path) -> int:
    try:
        seed = schemas.SeedFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            clock = ServiceClock(engine)
            default = schemas.Throttling.default(
                settings.default_throttling, settings.default_throttling_speed
            )
            seller_admin = SellerAdmin(session, clock=clock, default_throttling=default)
            sellers = [seller_admin.create_seller(s) for s in seed.sellers]
            orders_admin = OrderAdmin(session, clock=clock)
            orders = orders_admin.create_orders(seed.orders) if seed.orders else []
    except AdminError as exc:
        print(f"nothing was loaded: {exc.detail}", file=sys.stderr)
        return 1
    for seller in sellers:
        print(
            f"seller {seller.seller_id}: AWSAccessKeyId={seller.access_key_id} "
            f"SecretKey={seller.secret_key}"
        )
    print(f"loaded {len(sellers)} sellers and {len(orders)} orders")
    return 0


def _print_openapi() -> int:
    import tempfile

    import yaml

    from feedsvc.main import create_app

    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database_url=f"sqlite:///{scratch}/openapi.db",
            admin_token="unused",  # noqa: S106 (the app is never served)
            run_worker=False,
        )
        app = create_app(settings)
        document = app.openapi()
        app.state.engine.dispose()
    print(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), end="")
    return 0


def _print_admin_token(settings: Settings) -> int:
    if settings.admin_token:
        print(settings.admin_token)
        return 0
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        print(stored_admin_token(session))
    return 0


if __name__ == "__main__":
    sys.exit(main())
