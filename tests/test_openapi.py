"""openapi.yaml is exactly what the app serves at /openapi.json."""

from __future__ import annotations

from pathlib import Path

import yaml
from fastapi.testclient import TestClient

OPENAPI_YAML = Path(__file__).resolve().parent.parent / "openapi.yaml"


def test_openapi_yaml_matches_the_served_document(client: TestClient) -> None:
    served = client.get("/openapi.json").json()
    committed = yaml.safe_load(OPENAPI_YAML.read_text(encoding="utf-8"))
    assert committed == served, "openapi.yaml is stale: run `feedsvc openapi > openapi.yaml`"


def test_every_admin_route_requires_the_token(client: TestClient) -> None:
    document = yaml.safe_load(OPENAPI_YAML.read_text(encoding="utf-8"))
    admin_paths = [path for path in document["paths"] if path.startswith("/admin")]
    assert admin_paths
    for path in admin_paths:
        for method, operation in document["paths"][path].items():
            concrete = path.replace("{seller_id}", "x").replace("{amazon_order_id}", "x")
            response = client.request(method.upper(), concrete, params={"seller_id": "x"})
            assert response.status_code == 401, (method, path)
            assert operation["security"] == [{"HTTPBearer": []}]
