"""Fixtures for the order rules: a seller with orders on a real database, in a
transaction rolled back after each test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from feedsvc.accounts.repository import SellerRepository
from feedsvc.admin import schemas
from feedsvc.admin.orders import OrderAdmin
from feedsvc.admin.sellers import SellerAdmin
from feedsvc.clock import FixedClock
from feedsvc.db.engine import make_engine, make_sessionmaker
from feedsvc.orders.commands import Acknowledgement, Adjustment
from feedsvc.orders.outcomes import Rejection
from feedsvc.orders.repository import OrderRepository
from feedsvc.orders.service import OrderService
from tests.support import item_payload, order_payload, unique_seller_id

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
NO_THROTTLING = schemas.Throttling(mode="off")


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session, session.begin():
        yield session
        session.rollback()
    engine.dispose()


class World:
    """A seller with orders, and the service that applies commands for it."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.admin = OrderAdmin(db, clock=FixedClock(NOW))
        sellers = SellerAdmin(db, clock=FixedClock(NOW), default_throttling=NO_THROTTLING)
        self.seller = sellers.create_seller(
            schemas.SellerCreate(seller_id=unique_seller_id(), marketplace_ids=["ATVPDKIKX0DER"])
        )
        self.repository = OrderRepository(db)
        seller = SellerRepository(db).by_seller_id(self.seller.seller_id)
        assert seller is not None
        self.seller_pk = seller.id
        self.service = OrderService(self.repository, FixedClock(NOW), seller_pk=self.seller_pk)

    def order(self, *items: dict[str, Any], **overrides: Any) -> schemas.OrderOut:
        payload = order_payload(
            self.seller.seller_id, items=list(items) or [item_payload()], **overrides
        )
        return self.admin.create_orders([schemas.OrderCreate.model_validate(payload)])[0]

    def view(self, order_id: str) -> schemas.OrderOut:
        return self.admin.get_order(order_id)

    def apply(self, command: Acknowledgement | Adjustment) -> list[Any]:
        """Apply in a savepoint, as the feed processor does."""
        savepoint = self.db.begin_nested()
        try:
            notes = (
                self.service.acknowledge(command)
                if isinstance(command, Acknowledgement)
                else self.service.adjust(command)
            )
        except Rejection:
            savepoint.rollback()
            raise
        savepoint.commit()
        return notes


@pytest.fixture
def world(db: Session) -> World:
    return World(db)
