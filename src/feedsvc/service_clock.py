"""The integrator's clock: real time, or frozen, set or moved forward through the admin API.

Its state lives in the database so every process of a deployment agrees; each process
re-reads it at most once per ``refresh_seconds`` (at once after changing it itself).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from feedsvc.admin.models import ServiceSetting
from feedsvc.clock import Clock, SystemClock

CLOCK_KEY = "clock"


@dataclass(frozen=True, slots=True)
class ClockState:
    """Either frozen at an instant, or running with an offset from the base clock."""

    frozen_at: datetime | None = None
    offset: timedelta = timedelta(0)

    def now(self, base: datetime) -> datetime:
        return self.frozen_at if self.frozen_at is not None else base + self.offset

    def to_json(self) -> str:
        frozen = self.frozen_at.isoformat() if self.frozen_at else None
        return json.dumps({"frozen_at": frozen, "offset": self.offset.total_seconds()})

    @classmethod
    def from_json(cls, text: str) -> ClockState:
        data = json.loads(text)
        frozen = data.get("frozen_at")
        return cls(
            frozen_at=datetime.fromisoformat(frozen) if frozen else None,
            offset=timedelta(seconds=float(data.get("offset", 0))),
        )


class ServiceClock:
    """A Clock whose time the admin API controls."""

    def __init__(
        self, engine: Engine, *, base: Clock | None = None, refresh_seconds: float = 1.0
    ) -> None:
        self._engine = engine
        self._base = base or SystemClock()
        self._refresh = refresh_seconds
        self._lock = threading.Lock()
        self._state = ClockState()
        self._loaded_at = float("-inf")

    def now(self) -> datetime:
        return self.state().now(self._base.now())

    def state(self) -> ClockState:
        with self._lock:
            if time.monotonic() - self._loaded_at > self._refresh:
                self._state = _load(self._engine)
                self._loaded_at = time.monotonic()
            return self._state

    def freeze(self, session: Session, at: datetime | None = None) -> ClockState:
        """Stop the clock (at ``at``, or where it is now)."""
        return self._store(session, ClockState(frozen_at=at or self.now()))

    def run_from(self, session: Session, at: datetime | None = None) -> ClockState:
        """Let the clock run again, from ``at`` (or from where it is now)."""
        start = at or self.now()
        return self._store(session, ClockState(offset=start - self._base.now()))

    def advance(self, session: Session, delta: timedelta) -> ClockState:
        """Move the clock forward, frozen or not."""
        state = self.state()
        if state.frozen_at is not None:
            return self._store(session, ClockState(frozen_at=state.frozen_at + delta))
        return self._store(session, ClockState(offset=state.offset + delta))

    def reset(self, session: Session) -> ClockState:
        """Back to the base clock's own time."""
        return self._store(session, ClockState())

    def _store(self, session: Session, state: ClockState) -> ClockState:
        setting = session.get(ServiceSetting, CLOCK_KEY)
        if setting is None:
            session.add(ServiceSetting(key=CLOCK_KEY, value=state.to_json()))
        else:
            setting.value = state.to_json()
        with self._lock:
            self._state = state
            self._loaded_at = time.monotonic()
        return state


def _load(engine: Engine) -> ClockState:
    # A bare read outside any transaction: the caller may hold SQLite's write lock in
    # another transaction of the same thread, and a read must never wait for it.
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT value FROM service_settings WHERE key = 'clock'")
        row = cursor.fetchone()
        cursor.close()
        connection.rollback()
    finally:
        connection.close()
    return ClockState() if row is None else ClockState.from_json(row[0])
