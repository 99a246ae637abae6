"""A minimal MWS Feeds client with its own Signature Version 2 signer (not feedsvc's)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx

VERSION = "2009-01-01"
_STATUS = re.compile(rb"<FeedProcessingStatus>([^<]+)</FeedProcessingStatus>")
_SUBMISSION_ID = re.compile(rb"<FeedSubmissionId>(\d+)</FeedSubmissionId>")


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def sign_v2(params: Mapping[str, str], *, secret: str, method: str, host: str, path: str) -> str:
    """HmacSHA256 over method, host, path and the byte-sorted, RFC 3986-encoded query."""
    canonical = "&".join(
        f"{_encode(k)}={_encode(v)}"
        for k, v in sorted(params.items(), key=lambda kv: kv[0].encode())
    )
    to_sign = f"{method}\n{host.lower()}\n{path}\n{canonical}"
    digest = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def content_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode()  # noqa: S324 (MWS's checksum)


def file_md5(path: Path) -> str:
    digest = hashlib.md5()  # noqa: S324
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


@dataclass(frozen=True)
class Seller:
    seller_id: str
    access_key_id: str
    secret_key: str
    marketplace_id: str = "ATVPDKIKX0DER"

    def seed(self) -> dict[str, object]:
        """The seller as the admin API and ``feedsvc seed`` take it."""
        return {
            "seller_id": self.seller_id,
            "marketplace_ids": [self.marketplace_id],
            "access_key_id": self.access_key_id,
            "secret_key": self.secret_key,
            "throttling": {"mode": "off"},
        }


class MwsClient:
    """Signs and sends Feeds API calls to one feedsvc base URL."""

    def __init__(self, base_url: str, seller: Seller) -> None:
        self.base_url = base_url
        self.seller = seller
        self._host = httpx.URL(base_url).netloc.decode()
        self.polls = 0  # status calls made, and how many got no answer or an error
        self.failed_polls = 0

    def query(self, action: str, extra: Mapping[str, str] = (), method: str = "POST") -> str:
        """A signed query string for ``action``."""
        params = {
            "AWSAccessKeyId": self.seller.access_key_id,
            "Action": action,
            "SellerId": self.seller.seller_id,
            "SignatureMethod": "HmacSHA256",
            "SignatureVersion": "2",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": VERSION,
            **dict(extra),
        }
        params["Signature"] = sign_v2(
            params, secret=self.seller.secret_key, method=method, host=self._host, path="/"
        )
        return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in params.items())

    def submit_url(self, feed_type: str, md5: str) -> str:
        extra = {
            "FeedType": feed_type,
            "ContentMD5Value": md5,
            "MarketplaceIdList.Id.1": self.seller.marketplace_id,
        }
        return f"{self.base_url}/?{self.query('SubmitFeed', extra)}"

    def submit(self, http: httpx.Client, body: bytes, feed_type: str) -> str:
        """SubmitFeed; the FeedSubmissionId."""
        response = http.post(
            self.submit_url(feed_type, content_md5(body)),
            content=body,
            headers={"Content-Type": "text/xml"},
        )
        return _submission_id(response)

    def submit_file(self, http: httpx.Client, path: Path, feed_type: str) -> str:
        """SubmitFeed streaming a file from disk (the client never holds it in memory)."""

        def chunks() -> Iterator[bytes]:
            with path.open("rb") as handle:
                yield from iter(lambda: handle.read(1 << 20), b"")

        response = http.post(
            self.submit_url(feed_type, file_md5(path)),
            content=chunks(),
            headers={"Content-Type": "text/xml", "Content-Length": str(path.stat().st_size)},
        )
        return _submission_id(response)

    def status(self, http: httpx.Client, submission_id: str) -> str | None:
        """GetFeedSubmissionList for one id: its FeedProcessingStatus, None on an error answer."""
        query = self.query("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": submission_id})
        self.polls += 1
        try:
            response = http.post(f"{self.base_url}/?{query}")
        except httpx.TimeoutException:
            self.failed_polls += 1
            return None
        match = _STATUS.search(response.content)
        if response.status_code != 200 or match is None:
            self.failed_polls += 1
            return None
        return match.group(1).decode()

    def wait_done(
        self, http: httpx.Client, submission_id: str, *, timeout: float, poll: float = 0.2
    ) -> float | None:
        """Poll until _DONE_; the monotonic time it was seen, None after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status(http, submission_id) == "_DONE_":
                return time.monotonic()
            time.sleep(poll)
        return None

    def result(self, http: httpx.Client, submission_id: str) -> bytes:
        query = self.query("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
        response = http.post(f"{self.base_url}/?{query}")
        response.raise_for_status()
        return response.content


def _submission_id(response: httpx.Response) -> str:
    match = _SUBMISSION_ID.search(response.content)
    if response.status_code != 200 or match is None:
        raise RuntimeError(f"SubmitFeed failed: {response.status_code} {response.text[:500]}")
    return match.group(1).decode()


def summary_counts(report: bytes) -> dict[str, int]:
    """The ProcessingSummary numbers of an XML processing report."""
    names = ("MessagesProcessed", "MessagesSuccessful", "MessagesWithError", "MessagesWithWarning")
    counts = {}
    for name in names:
        match = re.search(rb"<%s>(\d+)</%s>" % (name.encode(), name.encode()), report)
        counts[name] = int(match.group(1)) if match else -1
    return counts
