"""Request and response bodies of the admin API."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
AmountText = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["12.30"])]
Currency = Literal[
    "USD", "GBP", "EUR", "JPY", "CAD", "CNY", "INR", "MXN", "BRL",
    "AUD", "TRY", "SGD", "SEK", "PLN", "AED", "SAR", "EGP",
]  # fmt: skip
AmazonOrderId = Annotated[
    str, Field(pattern=r"^\w{3}-\w{7}-\w{7}$", examples=["111-1111111-1111111"])
]
ItemCode = Annotated[str, Field(pattern=r"^\d{14}$", examples=["11111111111111"])]
Token = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Throttling(Strict):
    """``real`` quotas, ``accelerated`` (real quotas on a clock ``speed`` times faster), ``off``."""

    mode: Literal["real", "accelerated", "off"]
    speed: Annotated[float, Field(ge=1.0, le=1_000_000.0)] = 1.0

    @classmethod
    def default(cls, mode: Literal["real", "accelerated", "off"], speed: float) -> Throttling:
        """The service's default: the speed matters only when accelerated."""
        return cls(mode=mode, speed=speed if mode == "accelerated" else 1.0)


class SellerCreate(Strict):
    seller_id: Token
    marketplace_ids: list[Token] = Field(min_length=1)
    access_key_id: Token | None = None
    secret_key: Annotated[str, Field(min_length=8, max_length=256)] | None = None
    throttling: Throttling | None = None
    send_result_content_md5: bool = True


class SellerUpdate(Strict):
    throttling: Throttling | None = None
    send_result_content_md5: bool | None = None


class SellerOut(BaseModel):
    seller_id: str
    marketplace_ids: list[str]
    access_key_id: str
    secret_key: str
    throttling: Throttling
    send_result_content_md5: bool
    created_at: datetime


Operation = Literal[
    "SubmitFeed",
    "GetFeedSubmissionList",
    "GetFeedSubmissionListByNextToken",
    "GetFeedSubmissionCount",
    "CancelFeedSubmissions",
    "GetFeedSubmissionResult",
]
Count = Annotated[int, Field(ge=1, le=10_000)]


class ErrorFaultCreate(Strict):
    """The next ``count`` calls of ``operation`` answer ``error``."""

    operation: Operation
    error: Literal["RequestThrottled", "QuotaExceeded", "InternalError"]
    count: Count = 1


class FeedHoldCreate(Strict):
    """The next ``count`` feeds stay in ``status`` for ``seconds`` before processing."""

    status: Literal["_IN_PROGRESS_", "_IN_SAFETY_NET_"] = "_IN_PROGRESS_"
    seconds: Annotated[float, Field(gt=0, le=86_400)]
    count: Count = 1


class ChecksumFaultCreate(Strict):
    """The next ``count`` result downloads carry a wrong Content-MD5."""

    count: Count = 1


class FaultOut(BaseModel):
    kind: str
    operation: str | None
    remaining: int
    hold_status: str | None
    hold_seconds: float | None
    created_at: datetime


class OrderItemCreate(Strict):
    amazon_order_item_code: ItemCode
    sku: Annotated[str, Field(min_length=1, max_length=64)]
    asin: Annotated[str, Field(max_length=16)] | None = None
    merchant_order_item_id: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]
    quantity_shipped: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    item_price: Money
    item_tax: Money = Decimal(0)
    shipping_price: Money = Decimal(0)
    shipping_tax: Money = Decimal(0)
    gift_wrap_price: Money = Decimal(0)
    gift_wrap_tax: Money = Decimal(0)


class OrderCreate(Strict):
    seller_id: Token
    amazon_order_id: AmazonOrderId
    merchant_order_id: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    marketplace_id: Token
    purchase_date: datetime
    latest_ship_date: datetime | None = None
    currency: Currency
    buyer_name: Annotated[str, Field(max_length=128)] | None = None
    buyer_email: Annotated[str, Field(max_length=256)] | None = None
    items: list[OrderItemCreate] = Field(min_length=1)


class SeedFile(Strict):
    sellers: list[SellerCreate] = []
    orders: list[OrderCreate] = []


class OrderItemOut(BaseModel):
    amazon_order_item_code: str
    merchant_order_item_id: str | None
    sku: str
    asin: str | None
    quantity_ordered: int
    quantity_shipped: int
    quantity_cancelled: int
    quantity_unshipped: int
    charged: dict[str, AmountText]
    refunded: dict[str, AmountText]
    pending_refunds: dict[str, AmountText]


class CancellationOut(BaseModel):
    amazon_order_item_code: str
    quantity: int
    reason: str | None
    source: str
    buyer_requested: bool
    memo: str | None
    feed_submission_id: int | None
    created_at: datetime


class RefundOut(BaseModel):
    amazon_order_item_code: str
    reason: str
    state: str
    merchant_adjustment_item_id: str | None
    feed_submission_id: int | None
    components: dict[str, AmountText]
    total: AmountText
    created_at: datetime


class ShipmentLineOut(BaseModel):
    amazon_order_item_code: str
    quantity: int


class ShipmentOut(BaseModel):
    fulfillment_date: datetime
    merchant_fulfillment_id: str | None
    carrier_code: str | None
    carrier_name: str | None
    shipping_method: str | None
    tracking_number: str | None
    feed_submission_id: int | None
    items: list[ShipmentLineOut]
    created_at: datetime


class OrderOut(BaseModel):
    amazon_order_id: str
    seller_id: str
    merchant_order_id: str | None
    marketplace_id: str
    purchase_date: datetime
    latest_ship_date: datetime | None
    currency: str
    buyer_name: str | None
    buyer_email: str | None
    status: str
    items: list[OrderItemOut]
    shipments: list[ShipmentOut]
    cancellations: list[CancellationOut]
    refunds: list[RefundOut]


class NotificationOut(BaseModel):
    amazon_order_id: str
    kind: str
    recipient: str
    subject: str
    body: str
    created_at: datetime


class ErrorOut(BaseModel):
    detail: str


class GrantCreate(Strict):
    access_key_id: Token


class GrantOut(BaseModel):
    seller_id: str
    access_key_id: str
    mws_auth_token: str
    created_at: datetime


class ClockOut(BaseModel):
    now: datetime
    frozen: bool
    offset_seconds: float


# The service clock stays within these years, so every date it makes is representable.
CLOCK_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
CLOCK_LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class ClockSet(Strict):
    """Freeze the clock, or let it run, from ``at`` (default: where it is now)."""

    frozen: bool
    at: datetime | None = None

    @field_validator("at")
    @classmethod
    def _within_range(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        if not CLOCK_EARLIEST <= moment <= CLOCK_LATEST:
            raise ValueError("the clock can be set between 1970 and 9000")
        return moment


class ClockAdvance(Strict):
    """How far to move the clock forward (at most a thousand years in all)."""

    days: Annotated[float, Field(ge=0, le=365_000)] = 0
    hours: Annotated[float, Field(ge=0, le=8_760_000)] = 0
    minutes: Annotated[float, Field(ge=0, le=525_600_000)] = 0
    seconds: Annotated[float, Field(ge=0, le=31_536_000_000)] = 0


class CancellationRateOut(BaseModel):
    seller_id: str
    window_start: datetime
    window_end: datetime
    orders: int
    seller_cancelled_orders: int
    rate: float
    target: float
    above_target: bool


CancelReason = Literal[
    "NoInventory", "ShippingAddressUndeliverable", "CustomerExchange", "BuyerCanceled",
    "GeneralAdjustment", "CarrierCreditDecision", "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure", "CustomerReturn", "MerchandiseNotReceived",
    "CannotVerifyInformation", "PricingError", "RejectOrder", "WeatherDelay",
]  # fmt: skip


class CancelItem(Strict):
    amazon_order_item_code: ItemCode
    quantity: Annotated[int, Field(ge=1)] | None = None


class ManualCancellation(Strict):
    """Cancel the whole order (no items) or the chosen items, as on Manage Orders."""

    reason: CancelReason
    items: list[CancelItem] = []
    memo: Annotated[str, Field(max_length=1000)] | None = None


class RejectionOut(BaseModel):
    detail: str
    result_code: int
