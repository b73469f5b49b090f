"""The API describes itself: OpenAPI 3 and interactive docs that need no internet."""

from __future__ import annotations

import re

from django.test import Client


def test_openapi_document_lists_every_endpoint_with_bearer_auth(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/tickets", "/api/v1/tickets/{reference}",
            "/api/v1/tickets/{reference}/messages", "/api/v1/organizations",
            "/api/v1/organizations/{organization_id}", "/api/v1/contacts",
            "/api/v1/contacts/{contact_id}", "/api/v1/search", "/api/v1/me"} <= set(
        document["paths"])
    schemes = document["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]
    create = document["paths"]["/api/v1/tickets"]["post"]
    assert {"201", "401", "403", "422"} <= set(create["responses"])


def test_docs_page_loads_swagger_from_our_own_static_files(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn" not in page.lower()
    scripts = re.findall(r'src="([^"]+)"', page) + re.findall(r'href="([^"]+\.css)"', page)
    assert any(s.endswith("swagger-ui-bundle.js") for s in scripts)
    for asset in scripts:
        assert asset.startswith("/static/"), asset
        served = Client().get(asset)
        assert served.status_code == 200, asset
