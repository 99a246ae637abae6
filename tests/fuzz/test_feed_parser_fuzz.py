"""The XML feed parser alone: it never raises, and valid feeds read back as generated."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.feeds.service import HEAD_BYTES
from feedsvc.orders.commands import Acknowledgement, Adjustment, AmountComponent, Fulfillment
from feedsvc.reports.results import ResultCode
from feedsvc.xml.encoding import parsing_encoding
from feedsvc.xml.messages import FeedMessage, read_messages
from feedsvc.xml.schemas import SchemaRegistry
from feedsvc.xml.validation import FeedCheck, validate_xml_feed, validate_xml_stream
from tests.fuzz.strategies import (
    CONTENT_TYPES,
    HOSTILE,
    xml_documents,
)
from tests.fuzz.valid_feeds import acknowledgement, adjustment, envelope, fulfillment
from tests.support import ack
from tests.support import envelope as feed_envelope

REGISTRY = SchemaRegistry()
FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None)


def read(content: bytes, content_type: str = "") -> list[FeedMessage]:
    encoding = parsing_encoding(content, content_type)
    return list(read_messages(io.BytesIO(content), encoding=encoding))


def checked(content: bytes, content_type: str = "") -> FeedCheck:
    """Both validators (in memory, and streaming for large feeds): same verdict, sane problems."""
    check = validate_xml_feed(content, REGISTRY, content_type=content_type)
    streamed = validate_xml_stream(
        io.BytesIO(content), REGISTRY, head=content[:HEAD_BYTES], content_type=content_type
    )
    assert bool(check.problems) == bool(streamed.problems), (check, streamed)
    for verdict in (check, streamed):
        assert verdict.messages >= 0
        for problem in verdict.problems:
            assert isinstance(problem.message_id, int)
            assert problem.message_id >= 0
            assert problem.description.strip()
            assert problem.code in set(ResultCode)
    return check


@FUZZ
@given(content=st.binary(max_size=2048), content_type=CONTENT_TYPES)
def test_arbitrary_bytes_are_described_not_raised(content: bytes, content_type: str) -> None:
    assert checked(content, content_type).problems


@FUZZ
@given(content=xml_documents(), content_type=CONTENT_TYPES)
def test_xml_shaped_documents_are_described_not_raised(content: bytes, content_type: str) -> None:
    check = checked(content, content_type)
    if not check.problems:  # whatever validates must also be readable
        assert len(read(content, content_type)) == check.messages


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_documents_are_refused_quickly_and_read_no_file(content: bytes) -> None:
    started = time.monotonic()
    check = checked(content)
    assert check.problems
    assert time.monotonic() - started < 2
    assert not any("root:" in problem.description for problem in check.problems)


def _component(component: AmountComponent) -> tuple[str, int, str | None]:
    return component.type, component.amount, component.currency


def read_back(command: Any) -> Any:
    """The command in the shape valid_feeds expects."""
    if isinstance(command, Acknowledgement):
        items = tuple(
            (i.amazon_order_item_code, i.merchant_order_item_id, i.cancel_reason, i.quantity)
            for i in command.items
        )
        return (
            "ack",
            command.amazon_order_id,
            command.merchant_order_id,
            command.status_code,
            items,
        )
    if isinstance(command, Adjustment):
        items = tuple(
            (
                i.amazon_order_item_code,
                i.merchant_order_item_id,
                i.merchant_adjustment_item_id,
                i.reason,
                tuple(map(_component, i.price_components)),
                tuple(map(_component, i.promotion_components)),
                tuple(map(_component, i.direct_payment_components)),
                i.quantity_cancelled,
                i.quantity,
            )
            for i in command.items
        )
        return (
            "adj",
            command.amazon_order_id,
            command.merchant_order_id,
            command.action_type,
            items,
        )
    if isinstance(command, Fulfillment):
        items = tuple(
            (
                i.amazon_order_item_code,
                i.merchant_order_item_id,
                i.merchant_fulfillment_item_id,
                i.quantity,
            )
            for i in command.items
        )
        return (
            "ful",
            command.amazon_order_id,
            command.merchant_order_id,
            command.merchant_fulfillment_id,
            command.fulfillment_date,
            command.carrier_code,
            command.carrier_name,
            command.shipping_method,
            command.tracking_number,
            items,
        )
    return command


def round_trip(generated: tuple[bytes, list[Any]]) -> None:
    content, expected = generated
    check = checked(content)
    assert check.problems == [], content
    assert check.messages == len(expected)
    got = [(message.message_id, read_back(message.command)) for message in read(content)]
    assert got == expected


@settings(FUZZ, max_examples=60)
@given(envelope(acknowledgement()))
def test_valid_acknowledgements_read_back_as_generated(generated: tuple[bytes, list[Any]]) -> None:
    round_trip(generated)


@settings(FUZZ, max_examples=60)
@given(envelope(adjustment()))
def test_valid_adjustments_read_back_as_generated(generated: tuple[bytes, list[Any]]) -> None:
    round_trip(generated)


@settings(FUZZ, max_examples=60)
@given(envelope(fulfillment()))
def test_valid_fulfillments_read_back_as_generated(generated: tuple[bytes, list[Any]]) -> None:
    round_trip(generated)


# ----------------------------------------------------------- regressions found by fuzzing


def test_a_message_id_too_long_for_int_is_a_problem_not_an_exception() -> None:
    feed = feed_envelope("OrderAcknowledgement", ack("123-1234567-1234567"))
    feed = feed.replace(b"<MessageID>1<", b"<MessageID>" + b"1" * 4301 + b"<")
    assert checked(feed).problems


def test_a_charset_libxml2_lacks_is_a_problem_not_an_exception() -> None:
    assert checked(b"<AmazonEnvelope/>", "text/xml; charset=latin-1").problems
