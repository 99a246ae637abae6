"""Orders to seed and the feed documents that refer to them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.mws_client import Seller

ACK = "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
ADJUSTMENT = "_POST_PAYMENT_ADJUSTMENT_DATA_"
FULFILLMENT = "_POST_ORDER_FULFILLMENT_DATA_"
HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">\n'
    "  <Header>\n    <DocumentVersion>1.01</DocumentVersion>\n"
    "    <MerchantIdentifier>{merchant}</MerchantIdentifier>\n  </Header>\n"
    "  <MessageType>{message_type}</MessageType>\n"
)
FOOTER = "</AmazonEnvelope>\n"
# Half the price and tax of a line of 2 units charged 20.00 + 1.60 tax (+ 5.40 shipping).
REFUND = (("Principal", "10.00"), ("Tax", "0.80"))


@dataclass(frozen=True)
class Line:
    """One order line a message refers to."""

    amazon_order_id: str
    item_codes: tuple[str, ...]


def make_lines(count: int, *, items: int = 1, series: int = 1) -> list[Line]:
    """``count`` distinct orders of ``items`` lines each (ids unique within a series)."""
    return [
        Line(
            f"9{series:02d}-{n // 10**7:07d}-{n % 10**7:07d}",
            tuple(f"{series:02d}{n:08d}{i:04d}" for i in range(items)),
        )
        for n in range(count)
    ]


def write_seed(
    path: Path,
    seller: Seller,
    lines: list[Line],
    *,
    shipped: bool,
    unshipped_lines: list[Line] | None = None,
) -> None:
    """A ``feedsvc seed`` file: the seller and one order per line, placed an hour ago
    (the lines of ``unshipped_lines`` unshipped, whatever ``shipped`` says)."""
    placed = datetime.now(UTC) - timedelta(hours=1)
    flagged = [(line, shipped) for line in lines]
    flagged += [(line, False) for line in unshipped_lines or []]
    orders = [
        {
            "seller_id": seller.seller_id,
            "amazon_order_id": line.amazon_order_id,
            "marketplace_id": seller.marketplace_id,
            "purchase_date": placed.isoformat(),
            "latest_ship_date": (placed + timedelta(days=3)).isoformat(),
            "currency": "USD",
            "buyer_email": "buyer@example.com",
            "items": [
                {
                    "amazon_order_item_code": code,
                    "sku": f"SKU-{code}",
                    "quantity": 2,
                    "quantity_shipped": 2 if line_shipped else 0,
                    "item_price": "20.00",
                    "item_tax": "1.60",
                    "shipping_price": "5.00",
                    "shipping_tax": "0.40",
                }
                for code in line.item_codes
            ],
        }
        for line, line_shipped in flagged
    ]
    path.write_text(json.dumps({"sellers": [seller.seed()], "orders": orders}))


def one_ack(merchant: str, line: Line) -> bytes:
    """A one-message OrderAcknowledgement cancelling the first item (the README's example)."""
    body = (
        "  <Message>\n    <MessageID>1</MessageID>\n    <OrderAcknowledgement>\n"
        f"      <AmazonOrderID>{line.amazon_order_id}</AmazonOrderID>\n"
        "      <StatusCode>Failure</StatusCode>\n"
        f"      <Item><AmazonOrderItemCode>{line.item_codes[0]}</AmazonOrderItemCode>"
        "<CancelReason>NoInventory</CancelReason></Item>\n"
        "    </OrderAcknowledgement>\n  </Message>\n"
    )
    return _envelope(merchant, "OrderAcknowledgement", body)


def _adjustment_message(message_id: int, line: Line) -> str:
    components = "".join(
        f'<Component><Type>{kind}</Type><Amount currency="USD">{amount}</Amount></Component>'
        for kind, amount in REFUND
    )
    code = line.item_codes[0]
    return (
        f"<Message><MessageID>{message_id}</MessageID><OrderAdjustment>"
        f"<AmazonOrderID>{line.amazon_order_id}</AmazonOrderID><AdjustedItem>"
        f"<AmazonOrderItemCode>{code}</AmazonOrderItemCode>"
        f"<MerchantAdjustmentItemID>ADJ-{code}</MerchantAdjustmentItemID>"
        "<AdjustmentReason>CustomerReturn</AdjustmentReason>"
        f"<ItemPriceAdjustments>{components}</ItemPriceAdjustments>"
        "</AdjustedItem></OrderAdjustment></Message>\n"
    )


def adjustment_feed(merchant: str, lines: list[Line]) -> bytes:
    """One OrderAdjustment message per line, refunding half of each charge of its first item."""
    messages = "".join(_adjustment_message(n, line) for n, line in enumerate(lines, start=1))
    return _envelope(merchant, "OrderAdjustment", messages)


def cancellation_feed(merchant: str, lines: list[Line]) -> bytes:
    """One OrderAcknowledgement per line cancelling its first item (``Failure``)."""
    messages = "".join(
        f"<Message><MessageID>{n}</MessageID><OrderAcknowledgement>"
        f"<AmazonOrderID>{line.amazon_order_id}</AmazonOrderID><StatusCode>Failure</StatusCode>"
        f"<Item><AmazonOrderItemCode>{line.item_codes[0]}</AmazonOrderItemCode>"
        "<CancelReason>NoInventory</CancelReason></Item></OrderAcknowledgement></Message>\n"
        for n, line in enumerate(lines, start=1)
    )
    return _envelope(merchant, "OrderAcknowledgement", messages)


def fulfillment_feed(merchant: str, lines: list[Line]) -> bytes:
    """One OrderFulfillment per line confirming the shipment of the whole order."""
    shipped = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    messages = "".join(
        f"<Message><MessageID>{n}</MessageID><OrderFulfillment>"
        f"<AmazonOrderID>{line.amazon_order_id}</AmazonOrderID>"
        f"<FulfillmentDate>{shipped}</FulfillmentDate><FulfillmentData>"
        f"<CarrierCode>UPS</CarrierCode><ShipperTrackingNumber>1Z{n:08d}</ShipperTrackingNumber>"
        "</FulfillmentData></OrderFulfillment></Message>\n"
        for n, line in enumerate(lines, start=1)
    )
    return _envelope(merchant, "OrderFulfillment", messages)


def _envelope(merchant: str, message_type: str, messages: str) -> bytes:
    return (
        HEADER.format(merchant=merchant, message_type=message_type) + messages + FOOTER
    ).encode()


def _success_ack(message_id: int, line: Line) -> str:
    items = "".join(
        f"      <Item><AmazonOrderItemCode>{code}</AmazonOrderItemCode></Item>\n"
        for code in line.item_codes
    )
    return (
        f"  <Message>\n    <MessageID>{message_id}</MessageID>\n    <OrderAcknowledgement>\n"
        f"      <AmazonOrderID>{line.amazon_order_id}</AmazonOrderID>\n"
        f"      <StatusCode>Success</StatusCode>\n{items}"
        "    </OrderAcknowledgement>\n  </Message>\n"
    )


def write_large_ack_feed(path: Path, merchant: str, lines: list[Line], target_bytes: int) -> int:
    """An OrderAcknowledgement (Success, every item listed) of about ``target_bytes``.

    Messages cycle over ``lines``; returns the number of messages written.
    """

    def messages() -> Iterator[str]:
        n = 0
        while True:
            n += 1
            yield _success_ack(n, lines[(n - 1) % len(lines)])

    written = 0
    count = 0
    with path.open("w", encoding="utf-8") as out:
        head = HEADER.format(merchant=merchant, message_type="OrderAcknowledgement")
        out.write(head)
        written += len(head)
        for message in messages():
            if written + len(message) + len(FOOTER) > target_bytes:
                break
            out.write(message)
            written += len(message)
            count += 1
        out.write(FOOTER)
    return count
