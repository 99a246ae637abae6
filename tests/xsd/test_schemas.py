"""Verdicts of feedsvc's order-feed XSDs (xsd/) on valid and invalid documents.

The schemas aim at parity with Amazon MWS release_4_1: every document gets the
same valid/invalid verdict (spec: /work/shared/spec/order-feed-schemas.md).
The hand-written table of documents is in cases.py; below it is extended with
one valid case per enumeration value of the spec. Every row runs through
libxml2 (lxml) and, unless marked, through xmlschema.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from xmlschema.exceptions import XMLSchemaKeyError

from .cases import ACK, ACK0, CASES, FUL, QC
from .edits import amount, build, ok, promo, v

XSD_DIR = Path(__file__).resolve().parents[2] / "xsd"
ENTRY = XSD_DIR / "amzn-envelope.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"
CASE_FIELDS = ("doc", "edits", "valid", "why", "xs")

# fmt: off
# Every enumeration value of the spec, one case each (a typo would break parity).
MESSAGE_TYPES = [
    "CatPIL", "Customer", "FulfillmentCenter", "FulfillmentOrderCancellationRequest",
    "FulfillmentOrderRequest", "Image", "Inventory", "Item", "Listings", "Loyalty",
    "MultiChannelOrderReport", "NavigationReport", "Offer", "OrderAcknowledgement",
    "OrderAdjustment", "OrderFulfillment", "OrderNotificationReport", "OrderReport", "Override",
    "Price", "ProcessingReport", "Product", "ProductImage", "Relationship", "ReverseItem",
    "SettlementReport", "Store", "WebstoreItem",
]
CANCEL_REASONS = [
    "NoInventory", "ShippingAddressUndeliverable", "CustomerExchange", "BuyerCanceled",
    "GeneralAdjustment", "CarrierCreditDecision", "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure", "CustomerReturn", "MerchandiseNotReceived",
    "CannotVerifyInformation", "PricingError", "RejectOrder", "WeatherDelay",
]
ADJUSTMENT_REASONS = [
    "NoInventory", "CustomerReturn", "GeneralAdjustment", "CouldNotShip", "DifferentItem",
    "Abandoned", "CustomerCancel", "PriceError", "ProductOutofStock", "CustomerAddressIncorrect",
    "Exchange", "Other", "CarrierCreditDecision", "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure", "TransactionRecord", "Undeliverable", "RefusedDelivery",
]
PRICE_TYPES = [
    "Principal", "Shipping", "Tax", "ShippingTax", "RestockingFee", "RestockingFeeTax", "GiftWrap",
    "GiftWrapTax", "Surcharge", "ReturnShipping", "Goodwill", "ExportCharge", "COD", "CODTax",
    "Other", "FreeReplacementReturnShipping",
]
CURRENCIES = [
    "USD", "GBP", "EUR", "JPY", "CAD", "CNY", "INR", "MXN", "BRL", "AUD", "TRY", "SGD", "SEK",
    "PLN", "AED", "SAR", "EGP",
]
CARRIERS = [  # 74 distinct values: the schema lists Fastway twice.
    "USPS", "UPS", "UPSMI", "FedEx", "DHL", "Fastway", "GLS", "GO!", "Hermes Logistik Gruppe",
    "Royal Mail", "Parcelforce", "City Link", "TNT", "Target", "SagawaExpress", "NipponExpress",
    "YamatoTransport", "DHL Global Mail", "UPS Mail Innovations", "FedEx SmartPost", "OSM",
    "OnTrac", "Streamlite", "Newgistics", "Canada Post", "Blue Package", "Chronopost",
    "Deutsche Post", "DPD", "La Poste", "Parcelnet", "Poste Italiane", "SDA", "Smartmail",
    "FEDEX_JP", "JP_EXPRESS", "NITTSU", "SAGAWA", "YAMATO", "BlueDart", "AFL/Fedex", "Aramex",
    "India Post", "Professional", "DTDC", "Overnite Express", "First Flight", "Delhivery",
    "Lasership", "Yodel", "Other", "Amazon Shipping", "Seur", "Correos", "MRW", "Endopack",
    "Chrono Express", "Nacex", "Otro", "Correios", "Toll Global Express", "China Post",
    "AUSSIE_POST", "EUB", "Australia Post", "Yun Express", "4PX", "YANWEN", "SF Express", "BRT",
    "AustraliaPost-Consignment", "AustraliaPost-ArticleId", "Sendle", "CouriersPlease",
]

ENUMERATION_VALUES = [
    *[ok(f"enum-MessageType-{x}", ACK0, v("MessageType", "OrderAcknowledgement", x))
      for x in MESSAGE_TYPES],
    *[ok(f"enum-CancelReason-{x}", ACK, v("CancelReason", "NoInventory", x)) for x in CANCEL_REASONS],
    *[ok(f"enum-AdjustmentReason-{x}", QC, v("AdjustmentReason", "CustomerCancel", x))
      for x in ADJUSTMENT_REASONS],
    *[ok(f"enum-ItemPriceType-{x}", QC, v("Type", "Principal", x)) for x in PRICE_TYPES],
    *[ok(f"enum-PromotionType-{x}", QC, promo(ctype=x)) for x in ["Principal", "Shipping"]],
    *[ok(f"enum-currency-{x}", QC, amount("1", f'currency="{x}"')) for x in CURRENCIES],
    *[ok(f"enum-CarrierCode-{x}", FUL, v("CarrierCode", "UPS", x)) for x in CARRIERS],
]

# fmt: on

ALL_CASES = [*CASES, *ENUMERATION_VALUES]


def parser() -> etree.XMLParser:
    return etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)


@pytest.fixture(scope="module")
def lxml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(ENTRY), parser()))


@pytest.fixture(scope="module")
def xmlschema_schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(ENTRY), allow="local")


def xmlschema_is_valid(schema: xmlschema.XMLSchema10, content: bytes) -> bool:
    try:
        return schema.is_valid(io.BytesIO(content))
    except XMLSchemaKeyError:  # G20: an xsi:type naming a type the schema lacks
        return False


@pytest.mark.parametrize(CASE_FIELDS, ALL_CASES)
def test_lxml_verdict(lxml_schema, doc, edits, valid, why, xs):
    tree = etree.fromstring(build(doc, edits), parser()).getroottree()
    verdict = lxml_schema.validate(tree)
    errors = [error.message for error in lxml_schema.error_log]
    assert verdict is valid, errors
    if not valid:  # invalid for the intended reason: the first error is about the edited element
        assert errors[0].startswith(f"Element '{why}'"), errors


@pytest.mark.parametrize(CASE_FIELDS, ALL_CASES)
def test_xmlschema_verdict(xmlschema_schema, doc, edits, valid, why, xs):
    if xs:
        pytest.skip(xs)
    assert xmlschema_is_valid(xmlschema_schema, build(doc, edits)) is valid


def test_case_ids_are_unique():
    ids = [case.id for case in ALL_CASES]
    assert sorted(ids) == sorted(set(ids))


def test_global_elements_are_exactly_those_of_the_spec(xmlschema_schema):
    """G3: these, and only these, are accepted as document roots."""
    assert set(xmlschema_schema.elements) == {
        *("AmazonEnvelope", "Header", "MarketplaceName", "SKU", "FulfillmentCenterID"),
        *("OrderAcknowledgement", "OrderAdjustment", "OrderFulfillment", "ProcessingReport"),
        *("AmazonOrderID", "AmazonOrderItemCode", "MerchantOrderID", "MerchantOrderItemID"),
        *("MerchantPromotionID", "PromotionClaimCode", "CarrierCode"),
    }


def test_amazon_type_names_are_kept(xmlschema_schema):
    """G20: the named types of the spec keep Amazon's names (xsi:type refers to them)."""
    assert set(xmlschema_schema.types) >= {
        *("String", "StringNotNull", "IDNumber", "AddressLine", "SKUType", "BaseCurrencyAmount"),
        *("BaseCurrencyCode", "PromotionApplicationType", "AddressType", "PhoneNumberType"),
        *("AdjustmentBuyerPrice", "AdjustmentCurrencyAmount", "AdjustmentDirectPaymentType"),
    }


@pytest.mark.parametrize("name", sorted(path.name for path in XSD_DIR.glob("*.xsd")))
def test_schema_file_conventions(name):
    """No target namespace and no imports; includes are relative names of files beside it."""
    root = etree.parse(str(XSD_DIR / name), parser()).getroot()
    assert root.get("targetNamespace") is None
    assert root.get("elementFormDefault") == "qualified"
    assert root.findall(f"{XS}import") == [] and root.findall(f"{XS}redefine") == []
    for include in root.findall(f"{XS}include"):
        location = include.get("schemaLocation")
        assert "/" not in location and ":" not in location
        assert (XSD_DIR / location).is_file()
