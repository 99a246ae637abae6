"""Lists that must agree: reasons and currencies with the XSDs, charges with their columns."""

from __future__ import annotations

import pytest
from lxml import etree

from feedsvc.orders.models import OrderItem
from feedsvc.orders.types import (
    ADJUSTMENT_REASONS,
    CANCEL_REASONS,
    CHARGED_COMPONENTS,
    CURRENCIES,
    Component,
)
from feedsvc.resources import xsd_dir

XS = "{http://www.w3.org/2001/XMLSchema}"


def enumeration(
    file: str, *, element: str | None = None, type_name: str | None = None
) -> list[str]:
    tree = etree.parse(str(xsd_dir() / file))
    if element is not None:
        [holder] = tree.iterfind(f".//{XS}element[@name='{element}']")
    else:
        [holder] = tree.iterfind(f".//{XS}simpleType[@name='{type_name}']")
    return [e.get("value") for e in holder.iterfind(f".//{XS}enumeration")]


@pytest.mark.parametrize(
    ("values", "file", "element", "type_name"),
    [
        pytest.param(CANCEL_REASONS, "OrderAcknowledgement.xsd", "CancelReason", None, id="cancel"),
        pytest.param(
            ADJUSTMENT_REASONS, "OrderAdjustment.xsd", "AdjustmentReason", None, id="adjustment"
        ),
        pytest.param(CURRENCIES, "amzn-base.xsd", None, "BaseCurrencyCode", id="currency"),
    ],
)
def test_lists_match_the_schemas(
    values: tuple[str, ...], file: str, element: str | None, type_name: str | None
) -> None:
    assert list(values) == enumeration(file, element=element, type_name=type_name)


def test_admin_api_literals_are_the_same_lists() -> None:
    from typing import get_args

    from feedsvc.admin import schemas

    assert get_args(schemas.Currency) == CURRENCIES
    assert get_args(schemas.CancelReason) == CANCEL_REASONS


def test_every_charged_component_reads_its_own_column() -> None:
    charges = {component: 100 * (n + 1) for n, component in enumerate(CHARGED_COMPONENTS)}
    item = OrderItem(
        item_price=charges[Component.PRINCIPAL],
        item_tax=charges[Component.TAX],
        shipping_price=charges[Component.SHIPPING],
        shipping_tax=charges[Component.SHIPPING_TAX],
        gift_wrap_price=charges[Component.GIFT_WRAP],
        gift_wrap_tax=charges[Component.GIFT_WRAP_TAX],
    )
    assert {component: item.charged(component) for component in CHARGED_COMPONENTS} == charges
    assert item.total_charged == sum(charges.values())
    assert item.charged(Component.GOODWILL) == 0
