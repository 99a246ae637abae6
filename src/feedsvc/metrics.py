"""Prometheus metrics: HTTP requests, feed processing, and the queue as the database sees it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from feedsvc.db.engine import transaction
from feedsvc.queue.models import JobStatus
from feedsvc.queue.repository import JobRepository
from feedsvc.reports.results import MessageResult, Severity


class Metrics:
    """The metrics of one process, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "feedsvc_http_requests",
            "MWS API requests by action and HTTP status",
            ["action", "status"],
            registry=self.registry,
        )
        self.feed_seconds = Histogram(
            "feedsvc_feed_processing_seconds",
            "Time to apply one feed and write its report",
            ["feed_type"],
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            registry=self.registry,
        )
        self.messages = Counter(
            "feedsvc_feed_messages",
            "Feed messages (or flat-file records) applied or rejected, by result code",
            ["feed_type", "outcome", "result_code"],
            registry=self.registry,
        )

    def watch_queue(self, sessions: sessionmaker[Session]) -> None:
        """Also report queue depth and jobs in flight, read from the database on scrape."""
        self.registry.register(_QueueCollector(sessions))

    def feed_processed(
        self, feed_type: str, seconds: float, processed: int, results: Sequence[MessageResult]
    ) -> None:
        self.feed_seconds.labels(feed_type).observe(seconds)
        failed = {r.message_id for r in results if r.severity is not Severity.WARNING}
        for result in results:
            if result.severity is not Severity.WARNING:
                self.messages.labels(feed_type, "rejected", str(int(result.code))).inc()
        applied = processed - len(failed - {0})
        if applied > 0:
            self.messages.labels(feed_type, "applied", "").inc(applied)


class _QueueCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def collect(self) -> Iterable[GaugeMetricFamily]:
        with transaction(self._sessions) as session:
            counts = JobRepository(session).counts_by_status()
        depth = GaugeMetricFamily("feedsvc_queue_depth", "Jobs waiting to be claimed")
        depth.add_metric([], counts.get(JobStatus.QUEUED, 0))
        running = GaugeMetricFamily("feedsvc_jobs_in_flight", "Jobs claimed by a worker")
        running.add_metric([], counts.get(JobStatus.RUNNING, 0))
        return [depth, running]
