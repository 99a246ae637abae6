"""Import every model so the metadata is complete (Alembic and tests use this)."""

from feedsvc.accounts.models import MwsAuthGrant, MwsCredential, Seller
from feedsvc.admin.models import ServiceSetting
from feedsvc.db.base import Base
from feedsvc.faults.models import Fault
from feedsvc.feeds.models import (
    FeedDocument,
    FeedSubmission,
    ProcessingReportDocument,
    SubmissionResult,
)
from feedsvc.orders.models import (
    BuyerNotification,
    Cancellation,
    Order,
    OrderItem,
    Refund,
    RefundComponent,
    Shipment,
    ShipmentLine,
)
from feedsvc.queue.models import Job
from feedsvc.throttling.models import QuotaBucket

__all__ = [
    "Base",
    "BuyerNotification",
    "Cancellation",
    "Fault",
    "FeedDocument",
    "FeedSubmission",
    "Job",
    "MwsAuthGrant",
    "MwsCredential",
    "Order",
    "OrderItem",
    "ProcessingReportDocument",
    "QuotaBucket",
    "Refund",
    "RefundComponent",
    "Seller",
    "ServiceSetting",
    "Shipment",
    "ShipmentLine",
    "SubmissionResult",
]
