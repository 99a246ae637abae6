"""Developer access keys acting for other sellers through MWSAuthToken."""

from __future__ import annotations

from typing import Any

from tests.conftest import Admin, Mws, xml_text
from tests.support import ack, content_md5, envelope, order_payload


def grant(admin: Admin, seller: dict[str, Any], developer: dict[str, Any]) -> str:
    body = {"access_key_id": developer["access_key_id"]}
    token: str = admin.post(f"/admin/sellers/{seller['seller_id']}/auth-tokens", body)[
        "mws_auth_token"
    ]
    assert token.startswith("amzn.mws.")
    return token


def acting_for(mws: Mws, developer: dict[str, Any], seller: dict[str, Any]) -> Mws:
    """A client signing with the developer's key, naming the seller."""
    return Mws(
        mws.client,
        {**developer, "seller_id": seller["seller_id"]},
        mws.app,
    )


def test_granted_developer_acts_for_the_seller(mws: Mws, admin: Admin) -> None:
    seller = admin.seller()
    developer = mws.seller
    token = grant(admin, seller, developer)
    order = admin.order(order_payload(seller["seller_id"]))
    agent = acting_for(mws, developer, seller)
    feed = envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    response = agent.call(
        "SubmitFeed",
        {"FeedType": "_POST_ORDER_ACKNOWLEDGEMENT_DATA_", "MWSAuthToken": token},
        body=feed,
        headers={"Content-MD5": content_md5(feed)},
    )
    assert response.status_code == 200, response.text
    while mws.app.state.worker.run_once():
        pass
    assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["status"] == "Canceled"
    # The submission is the seller's, not the developer's own.
    own = mws.call("GetFeedSubmissionCount")
    assert xml_text(own.content, "Count") == "0"


def test_without_or_with_a_wrong_token_access_is_denied(mws: Mws, admin: Admin) -> None:
    seller, stranger = admin.seller(), admin.seller()
    agent = acting_for(mws, mws.seller, seller)
    for extra in ({}, {"MWSAuthToken": "None"}, {"MWSAuthToken": "amzn.mws.not-a-grant"}):
        response = agent.call("GetFeedSubmissionCount", extra)
        assert (response.status_code, xml_text(response.content, "Code")) == (401, "AccessDenied")
    # A token granted to one developer does not work for another's key.
    token = grant(admin, seller, stranger)
    response = agent.call("GetFeedSubmissionCount", {"MWSAuthToken": token})
    assert xml_text(response.content, "Code") == "AccessDenied"


def test_own_seller_needs_no_token(mws: Mws) -> None:
    assert mws.call("GetFeedSubmissionCount", {"MWSAuthToken": "None"}).status_code == 200


def test_grant_for_an_unknown_key_or_seller(admin: Admin) -> None:
    seller = admin.seller()
    unknown_key = admin.client.post(
        f"/admin/sellers/{seller['seller_id']}/auth-tokens",
        json={"access_key_id": "AKNOPE"},
        headers=admin.headers,
    )
    assert unknown_key.status_code == 422
    unknown_seller = admin.client.post(
        "/admin/sellers/NOBODY/auth-tokens",
        json={"access_key_id": seller["access_key_id"]},
        headers=admin.headers,
    )
    assert unknown_seller.status_code == 404
