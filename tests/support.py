"""Helpers shared by the tests: ids, payloads, feed documents and an MWS request signer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import os
import random
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import make_url, text

from feedsvc.config import normalise_database_url
from feedsvc.db.engine import make_engine
from feedsvc.db.migrate import upgrade

DATA = Path(__file__).parent / "data"
MARKETPLACE_US = "ATVPDKIKX0DER"
_serial = itertools.count(1)


def unique_order_id() -> str:
    """A fresh AmazonOrderID-shaped id (``\\w{3}-\\w{7}-\\w{7}``)."""
    n = next(_serial)
    return f"{random.randint(100, 999)}-{random.randint(10**6, 10**7 - 1)}-{n:07d}"


def unique_item_code() -> str:
    return f"{random.randint(10**6, 10**7 - 1)}{next(_serial):07d}"


def unique_seller_id() -> str:
    return f"A{random.randint(10**11, 10**12 - 1)}{next(_serial)}"


def order_payload(
    seller_id: str,
    *,
    items: list[dict[str, object]] | None = None,
    currency: str = "USD",
    **overrides: object,
) -> dict[str, object]:
    """An order for the admin API; by default one line of 2 units, unshipped."""
    payload: dict[str, object] = {
        "seller_id": seller_id,
        "amazon_order_id": unique_order_id(),
        "marketplace_id": MARKETPLACE_US,
        "purchase_date": "2026-11-01T10:00:00Z",
        "latest_ship_date": "2026-11-04T10:00:00Z",
        "currency": currency,
        "buyer_name": "Pat Buyer",
        "buyer_email": "pat@example.com",
        "items": items or [item_payload()],
    }
    payload.update(overrides)
    return payload


def item_payload(**overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "amazon_order_item_code": unique_item_code(),
        "sku": "SKU-" + str(next(_serial)),
        "asin": "B000000001",
        "quantity": 2,
        "item_price": "20.00",
        "item_tax": "1.60",
        "shipping_price": "5.00",
        "shipping_tax": "0.40",
    }
    payload.update(overrides)
    return payload


def envelope(message_type: str, *bodies: str, merchant: str = "M_TEST") -> bytes:
    """An AmazonEnvelope with one Message per body (MessageIDs 1, 2, ...)."""
    messages = "".join(
        f"<Message><MessageID>{n}</MessageID>{body}</Message>"
        for n, body in enumerate(bodies, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">'
        f"<Header><DocumentVersion>1.01</DocumentVersion>"
        f"<MerchantIdentifier>{merchant}</MerchantIdentifier></Header>"
        f"<MessageType>{message_type}</MessageType>{messages}</AmazonEnvelope>"
    ).encode()


def ack(order_id: str, status: str = "Failure", *items: str, merchant_order_id: str = "") -> str:
    merchant = (
        f"<MerchantOrderID>{merchant_order_id}</MerchantOrderID>" if merchant_order_id else ""
    )
    return (
        f"<OrderAcknowledgement><AmazonOrderID>{order_id}</AmazonOrderID>{merchant}"
        f"<StatusCode>{status}</StatusCode>{''.join(items)}</OrderAcknowledgement>"
    )


def ack_item(code: str, reason: str | None = None, quantity: int | None = None) -> str:
    parts = f"<AmazonOrderItemCode>{code}</AmazonOrderItemCode>"
    if reason:
        parts += f"<CancelReason>{reason}</CancelReason>"
    if quantity is not None:
        parts += f"<Quantity>{quantity}</Quantity>"
    return f"<Item>{parts}</Item>"


def adjustment(order_id: str, *items: str) -> str:
    return (
        f"<OrderAdjustment><AmazonOrderID>{order_id}</AmazonOrderID>{''.join(items)}"
        "</OrderAdjustment>"
    )


def adjusted_item(
    code: str,
    reason: str = "CustomerReturn",
    *,
    components: Mapping[str, str] | None = None,
    currency: str = "USD",
    quantity_cancelled: int | None = None,
    adjustment_id: str | None = None,
) -> str:
    parts = f"<AmazonOrderItemCode>{code}</AmazonOrderItemCode>"
    if adjustment_id:
        parts += f"<MerchantAdjustmentItemID>{adjustment_id}</MerchantAdjustmentItemID>"
    parts += f"<AdjustmentReason>{reason}</AdjustmentReason>"
    if components:
        parts += (
            "<ItemPriceAdjustments>"
            + "".join(
                f'<Component><Type>{kind}</Type><Amount currency="{currency}">{amount}</Amount>'
                "</Component>"
                for kind, amount in components.items()
            )
            + "</ItemPriceAdjustments>"
        )
    if quantity_cancelled is not None:
        parts += f"<QuantityCancelled>{quantity_cancelled}</QuantityCancelled>"
    return f"<AdjustedItem>{parts}</AdjustedItem>"


def content_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode()


def mws_timestamp(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_v2(params: Mapping[str, str], *, secret: str, method: str, host: str, path: str) -> str:
    """The Signature Version 2 HmacSHA256 signature of ``params`` (an independent signer)."""
    canonical = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
        for k, v in sorted(params.items(), key=lambda kv: kv[0].encode())
    )
    to_sign = f"{method}\n{host.lower()}\n{path}\n{canonical}"
    digest = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def fulfillment(
    order_id: str,
    *items: str,
    date: str = "2026-11-03T10:00:00Z",
    carrier: str = "<CarrierCode>UPS</CarrierCode>",
    tracking: str = "1Z999",
) -> str:
    return (
        f"<OrderFulfillment><AmazonOrderID>{order_id}</AmazonOrderID>"
        f"<FulfillmentDate>{date}</FulfillmentDate>"
        f"<FulfillmentData>{carrier}<ShippingMethod>Ground</ShippingMethod>"
        f"<ShipperTrackingNumber>{tracking}</ShipperTrackingNumber></FulfillmentData>"
        f"{''.join(items)}</OrderFulfillment>"
    )


def fulfilled_item(code: str, quantity: int | None = None) -> str:
    parts = f"<AmazonOrderItemCode>{code}</AmazonOrderItemCode>"
    if quantity is not None:
        parts += f"<Quantity>{quantity}</Quantity>"
    return f"<Item>{parts}</Item>"


@contextmanager
def own_database(tmp_path: Path, name: str, *, migrate: bool = True) -> Iterator[str]:
    """A database of one test's own: a SQLite file, or a PostgreSQL schema (dropped after)
    when FEEDSVC_TEST_DATABASE_URL is set. Migrated unless ``migrate`` is False."""
    configured = os.environ.get("FEEDSVC_TEST_DATABASE_URL")
    if not configured:
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
        if migrate:
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
        yield url
        return
    base = normalise_database_url(configured)
    schema = f"{name}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = (
        make_url(base)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        if migrate:
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
