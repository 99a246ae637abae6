"""The bundled order-feed XSDs, compiled once per thread."""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

from feedsvc.resources import xsd_dir
from feedsvc.xml import safe

ENTRY_POINT = "amzn-envelope.xsd"


class SchemaRegistry:
    """Hands out the compiled envelope schema; lxml validators are not shared across threads."""

    def __init__(self, directory: Path | None = None) -> None:
        self._path = (directory or xsd_dir()) / ENTRY_POINT
        self._local = threading.local()
        self.envelope()  # fail at start-up, not on the first feed, if the XSDs are broken

    def envelope(self) -> etree.XMLSchema:
        schema: etree.XMLSchema | None = getattr(self._local, "schema", None)
        if schema is None:
            schema = etree.XMLSchema(etree.parse(str(self._path), safe.parser()))
            self._local.schema = schema
        return schema
