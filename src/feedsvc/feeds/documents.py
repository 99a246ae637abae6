"""Feed bodies as streams: spooled while they arrive, stored in pieces, read back lazily."""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from feedsvc.db.driver import DriverStatement
from feedsvc.feeds.models import FeedDocument

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

PIECE_BYTES = 1024 * 1024
SPOOL_BYTES = 8 * 1024 * 1024
_STORE_PIECE = DriverStatement(insert(FeedDocument))


class FeedBody:
    """A received feed body: spooled to disk past a few MB, with its size and MD5."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        self._md5 = hashlib.md5()  # noqa: S324 (MWS's checksum, not security)
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._md5.update(chunk)
        self.size += len(chunk)

    @property
    def md5_digest(self) -> bytes:
        return self._md5.digest()

    def open(self) -> IO[bytes]:
        """The body from its start (the same file object each time)."""
        self._file.seek(0)
        return self._file

    def head(self, size: int) -> bytes:
        self._file.seek(0)
        return self._file.read(size)

    def read_all(self) -> bytes:
        self._file.seek(0)
        return self._file.read()

    def close(self) -> None:
        self._file.close()


def store(connection: Connection, submission_id: int, body: FeedBody) -> None:
    """Write the body as pieces of at most PIECE_BYTES, one INSERT each (none is kept)."""
    source = body.open()
    seq = 0
    while True:
        piece = source.read(PIECE_BYTES)
        if not piece and seq:
            break
        _STORE_PIECE.rows(
            connection, {"submission_id": submission_id, "seq": seq, "content": piece}
        )
        seq += 1


class StoredFeed(io.RawIOBase):
    """A readable stream over a stored feed, loading one piece at a time."""

    def __init__(self, session: Session, submission_id: int) -> None:
        self._session = session
        self._submission_id = submission_id
        self._pieces = self._piece_numbers()
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: WriteableBuffer) -> int:
        view = memoryview(target).cast("B")
        while not self._buffer:
            try:
                seq = next(self._pieces)
            except StopIteration:
                return 0
            self._buffer = self._load(seq)
        size = min(len(view), len(self._buffer))
        view[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size

    def _piece_numbers(self) -> Iterator[int]:
        query = select(FeedDocument.seq).where(FeedDocument.submission_id == self._submission_id)
        numbers = list(self._session.scalars(query.order_by(FeedDocument.seq)))
        if not numbers:
            raise NoResultFound(f"the document of submission {self._submission_id} is missing")
        return iter(numbers)

    def _load(self, seq: int) -> bytes:
        query = select(FeedDocument.content).where(
            FeedDocument.submission_id == self._submission_id, FeedDocument.seq == seq
        )
        return self._session.scalar(query) or b""
