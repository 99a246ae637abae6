"""``feedsvc worker`` as a process of its own, taking feeds another process queued."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from feedsvc.config import Settings
from feedsvc.main import create_app
from tests.cli.conftest import Cli, feedsvc_command
from tests.conftest import ADMIN_TOKEN, Admin, Mws, xml_text
from tests.support import ack, envelope, order_payload


def wait_for(
    condition: Callable[[], bool], process: subprocess.Popen[bytes], log: Path, timeout: float
) -> None:
    """Poll ``condition`` until it holds; fail at once if the process dies, or at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"nothing happened within {timeout} s; worker log:\n{log.read_text()}")
        time.sleep(0.05)


@pytest.fixture
def api(cli: Cli) -> Iterator[tuple[Admin, Mws]]:
    """The HTTP API in this process, without a worker, on the CLI's database."""
    settings = Settings(database_url=cli.database_url, admin_token=ADMIN_TOKEN, run_worker=False)
    app = create_app(settings)
    with TestClient(app) as client:
        admin = Admin(client)
        yield admin, Mws(client, admin.seller(), app)
    app.state.engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _metrics(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_worker_processes_a_queued_feed_serves_its_metrics_and_exits_cleanly_on_sigterm(
    cli: Cli, api: tuple[Admin, Mws], tmp_path: Path
) -> None:
    admin, mws = api
    order = admin.order(order_payload(mws.seller["seller_id"]))
    response = mws.submit(
        envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    )
    submission_id = xml_text(response.content, "FeedSubmissionId")

    def status() -> str:
        # Straight from the database: polling GetFeedSubmissionList would hit its quota.
        return str(cli.scalar(f"SELECT status FROM feed_submissions WHERE id = {submission_id}"))

    assert status() == "_SUBMITTED_"

    log = tmp_path / "worker.log"
    port = _free_port()
    with log.open("wb") as sink:
        worker = subprocess.Popen(
            [*feedsvc_command(), "worker", "--metrics-port", str(port)],
            cwd=cli.cwd,
            env=cli.env(FEEDSVC_WORKER_POLL_SECONDS="0.05"),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: status() == "_DONE_", worker, log, timeout=20)
        listed = mws.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": submission_id})
        assert xml_text(listed.content, "FeedProcessingStatus") == "_DONE_"
        assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["status"] == "Canceled"
        # The worker's own metrics: what it applied, how long it took, the shared queue.
        metrics = _metrics(port)
        ack_type = (("feed_type", "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"),)
        applied = (*ack_type, ("outcome", "applied"), ("result_code", ""))
        assert metrics[("feedsvc_feed_messages_total", applied)] == 1
        assert metrics[("feedsvc_feed_processing_seconds_count", ack_type)] == 1
        assert metrics[("feedsvc_queue_depth", ())] == 0
        assert metrics[("feedsvc_jobs_in_flight", ())] == 0
        assert worker.poll() is None, "the worker exited on its own"
        time.sleep(0.2)  # idle now, waiting out its poll interval

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
    output = log.read_text()
    assert "worker started" in output and "worker stopped" in output
    assert "Traceback" not in output
