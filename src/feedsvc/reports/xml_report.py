"""Render a ProcessingReport AmazonEnvelope, as GetFeedSubmissionResult serves it."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from feedsvc.reports.results import MessageResult, ProcessingSummary
from feedsvc.xml.values import XML_DECLARATION, xml_safe

XSI = "http://www.w3.org/2001/XMLSchema-instance"
REPORT_DOCUMENT_VERSION = "1.02"


def render_xml_report(
    *,
    submission_id: int,
    merchant_identifier: str,
    summary: ProcessingSummary,
    results: Sequence[MessageResult],
) -> bytes:
    """The report as UTF-8 bytes; valid against the bundled ProcessingReport schema."""
    envelope = etree.Element("AmazonEnvelope", nsmap={"xsi": XSI})
    envelope.set(f"{{{XSI}}}noNamespaceSchemaLocation", "amzn-envelope.xsd")
    header = _child(envelope, "Header")
    _child(header, "DocumentVersion", REPORT_DOCUMENT_VERSION)
    _child(header, "MerchantIdentifier", merchant_identifier[:50])
    _child(envelope, "MessageType", "ProcessingReport")
    message = _child(envelope, "Message")
    _child(message, "MessageID", "1")
    report = _child(message, "ProcessingReport")
    _child(report, "DocumentTransactionID", str(submission_id))
    _child(report, "StatusCode", "Complete")
    counters = _child(report, "ProcessingSummary")
    _child(counters, "MessagesProcessed", str(summary.processed))
    _child(counters, "MessagesSuccessful", str(summary.successful))
    _child(counters, "MessagesWithError", str(summary.with_error))
    _child(counters, "MessagesWithWarning", str(summary.with_warning))
    for result in results:
        entry = _child(report, "Result")
        _child(entry, "MessageID", str(result.message_id))
        _child(entry, "ResultCode", result.severity.value)
        _child(entry, "ResultMessageCode", str(int(result.code)))
        _child(entry, "ResultDescription", result.description)
        if result.amazon_order_id or result.amazon_order_item_code:
            info = _child(entry, "AdditionalInfo")
            if result.amazon_order_id:
                _child(info, "AmazonOrderID", result.amazon_order_id)
            if result.amazon_order_item_code:
                _child(info, "AmazonOrderItemCode", result.amazon_order_item_code)
    body: bytes = etree.tostring(envelope, encoding="UTF-8", pretty_print=True)
    return XML_DECLARATION + body


def _child(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = xml_safe(text)
    return element
