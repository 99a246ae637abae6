"""The admin JSON API: authentication, sellers, orders and notifications."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Admin
from tests.support import MARKETPLACE_US, item_payload, order_payload, unique_seller_id


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer wrong"}, id="wrong-token"),
        pytest.param({"Authorization": "Basic dGVzdDp0ZXN0"}, id="wrong-scheme"),
    ],
)
def test_requests_without_the_admin_token_are_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = {"seller_id": unique_seller_id(), "marketplace_ids": [MARKETPLACE_US]}
    response = client.post("/admin/sellers", json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_seller_gets_generated_credentials(admin: Admin) -> None:
    seller = admin.seller()
    assert seller["access_key_id"].startswith("AKFS")
    assert len(seller["secret_key"]) >= 30
    assert admin.get(f"/admin/sellers/{seller['seller_id']}") == seller


def test_seller_may_bring_its_own_credentials(admin: Admin) -> None:
    seller_id = unique_seller_id()
    seller = admin.post(
        "/admin/sellers",
        {
            "seller_id": seller_id,
            "marketplace_ids": [MARKETPLACE_US, "A2EUQ1WTGCTBG2"],
            "access_key_id": f"AK{seller_id}",
            "secret_key": "my-own-secret-key",
        },
    )
    assert (seller["access_key_id"], seller["secret_key"]) == (
        f"AK{seller_id}",
        "my-own-secret-key",
    )
    assert seller["marketplace_ids"] == [MARKETPLACE_US, "A2EUQ1WTGCTBG2"]


def test_duplicate_seller_or_key_conflicts(admin: Admin) -> None:
    seller = admin.seller()
    again = admin.client.post(
        "/admin/sellers",
        json={"seller_id": seller["seller_id"], "marketplace_ids": [MARKETPLACE_US]},
        headers=admin.headers,
    )
    assert again.status_code == 409
    same_key = admin.client.post(
        "/admin/sellers",
        json={
            "seller_id": unique_seller_id(),
            "marketplace_ids": [MARKETPLACE_US],
            "access_key_id": seller["access_key_id"],
        },
        headers=admin.headers,
    )
    assert same_key.status_code == 409
    assert "already in use" in same_key.json()["detail"]


def test_order_view_reports_units_and_charges(admin: Admin) -> None:
    seller = admin.seller()
    order = admin.order(
        order_payload(
            seller["seller_id"],
            items=[item_payload(quantity=3, quantity_shipped=1, item_price="30.00", item_tax="0")],
        )
    )
    assert order["status"] == "PartiallyShipped"
    [item] = order["items"]
    assert (item["quantity_ordered"], item["quantity_shipped"], item["quantity_unshipped"]) == (
        3,
        1,
        2,
    )
    assert item["charged"] == {"Principal": "30.00", "Shipping": "5.00", "ShippingTax": "0.40"}
    assert (item["refunded"], item["pending_refunds"]) == ({}, {})
    assert admin.get(f"/admin/orders/{order['amazon_order_id']}") == order


def test_orders_can_be_created_in_bulk(admin: Admin) -> None:
    seller = admin.seller()
    created = admin.post(
        "/admin/orders", [order_payload(seller["seller_id"]), order_payload(seller["seller_id"])]
    )
    assert [o["status"] for o in created] == ["Unshipped", "Unshipped"]


def bad_order(
    seller_id: str, change: dict[str, Any], item_change: dict[str, Any]
) -> dict[str, Any]:
    payload = order_payload(seller_id, items=[item_payload(**item_change)])
    payload.update(change)
    return payload


@pytest.mark.parametrize(
    ("change", "item_change"),
    [
        pytest.param({"amazon_order_id": "111-111"}, {}, id="order-id-shape"),
        pytest.param({"currency": "XYZ"}, {}, id="currency"),
        pytest.param({}, {"amazon_order_item_code": "123"}, id="item-code-shape"),
        pytest.param({}, {"item_price": "1.234"}, id="three-decimals"),
        pytest.param({}, {"item_price": "-1.00"}, id="negative-amount"),
        pytest.param({}, {"quantity": 0}, id="zero-quantity"),
        pytest.param({}, {"quantity": 1, "quantity_shipped": 2}, id="ships-more-than-ordered"),
        pytest.param({"seller_id": "NO-SUCH-SELLER"}, {}, id="unknown-seller"),
        pytest.param({"unexpected": 1}, {}, id="unknown-field"),
    ],
)
def test_invalid_orders_are_refused_and_nothing_is_created(
    admin: Admin, change: dict[str, Any], item_change: dict[str, Any]
) -> None:
    seller = admin.seller()
    good = order_payload(seller["seller_id"])
    bad = bad_order(seller["seller_id"], change, item_change)
    response = admin.client.post("/admin/orders", json=[good, bad], headers=admin.headers)
    assert response.status_code == 422, response.text
    missing = admin.client.get(f"/admin/orders/{good['amazon_order_id']}", headers=admin.headers)
    assert missing.status_code == 404


def test_duplicate_order_id_conflicts(admin: Admin) -> None:
    seller = admin.seller()
    order = admin.order(order_payload(seller["seller_id"]))
    again = admin.client.post(
        "/admin/orders",
        json=order_payload(seller["seller_id"], amazon_order_id=order["amazon_order_id"]),
        headers=admin.headers,
    )
    assert again.status_code == 409
    assert order["amazon_order_id"] in again.json()["detail"]


def test_unknown_order_and_seller_are_not_found(admin: Admin) -> None:
    order = admin.client.get("/admin/orders/999-9999999-9999999", headers=admin.headers)
    assert order.status_code == 404
    notes = admin.client.get(
        "/admin/notifications", params={"seller_id": "NOBODY"}, headers=admin.headers
    )
    assert notes.status_code == 404


def test_merchant_order_ids_are_unique_per_seller(admin: Admin) -> None:
    seller = admin.seller()
    first = order_payload(seller["seller_id"], merchant_order_id="PO-1")
    twice = admin.client.post(
        "/admin/orders",
        json=[first, order_payload(seller["seller_id"], merchant_order_id="PO-1")],
        headers=admin.headers,
    )
    assert twice.status_code == 409
    admin.order(first)
    again = admin.client.post(
        "/admin/orders",
        json=order_payload(seller["seller_id"], merchant_order_id="PO-1"),
        headers=admin.headers,
    )
    assert again.status_code == 409
    assert "PO-1" in again.json()["detail"]
    other_seller = admin.seller()
    admin.order(order_payload(other_seller["seller_id"], merchant_order_id="PO-1"))
    lines = admin.client.post(
        "/admin/orders",
        json=order_payload(
            seller["seller_id"],
            items=[
                item_payload(merchant_order_item_id="L1"),
                item_payload(merchant_order_item_id="L1"),
            ],
        ),
        headers=admin.headers,
    )
    assert lines.status_code == 422
