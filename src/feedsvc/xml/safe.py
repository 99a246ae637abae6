"""Parse untrusted XML without expanding entities, loading DTDs or touching the network."""

from __future__ import annotations

from lxml import etree


class UnsafeDocument(ValueError):
    """The document declares a DOCTYPE, which feeds never need and attacks rely on."""


def parser(encoding: str | None = None) -> etree.XMLParser:
    """A fresh parser (lxml parsers must not be shared between threads)."""
    return etree.XMLParser(
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        collect_ids=False,
    )


def parse(content: bytes, encoding: str | None = None) -> etree._ElementTree:
    """Parse bytes (in ``encoding``, else as the document declares); refuse any DOCTYPE.

    Raises ``etree.XMLSyntaxError`` for a document that is not well-formed and
    ``UnsafeDocument`` for one with a document type declaration.
    """
    root = etree.fromstring(content, parser(encoding))
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeDocument("DOCTYPE declarations are not accepted in feeds")
    return tree
