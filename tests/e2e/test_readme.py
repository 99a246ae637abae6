"""The README's walk-through, run as written against a real server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"


def test_walk_through(server: Server, tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    walk = text[text.index("## Walk-through") : text.index("## The seller's")]
    bodies = [json.loads(body) for body in re.findall(r"-d '(\{.*?\})'", walk, flags=re.DOTALL)]
    seller, order = bodies
    assert server.admin.post("/admin/sellers", json=seller).status_code == 201
    assert server.admin.post("/admin/orders", json=order).status_code == 201

    [script] = re.findall(r"```python\n(.*?)```", walk, flags=re.DOTALL)
    script = script.replace("http://127.0.0.1:8000", server.base_url)
    (tmp_path / "walk.py").write_text(script, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-W", "ignore", str(tmp_path / "walk.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "<MessagesSuccessful>1</MessagesSuccessful>" in done.stdout
    view = server.get(f"/admin/orders/{order['amazon_order_id']}")
    assert view["status"] == "Canceled"
    assert view["cancellations"][0]["reason"] == "NoInventory"
