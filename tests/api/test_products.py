"""Products and their versions through the API: admins add them, all staff read them."""

from __future__ import annotations

import pytest

from frontline.customers.models import Product, Version
from tests.api.conftest import field_errors


def test_ada_adds_a_product_with_its_releases_and_everyone_reads_it(api, ada, lena, vera,
                                                                   dana):
    created = api(ada).post("/products", {
        "name": "Atlas Server", "versions": [
            {"version": "4.2", "released_on": "2025-02-10"},
            {"version": "4.0", "released_on": "2024-06-03"},
            {"version": "4.3-beta"},
            {"version": "4.1", "released_on": "2024-11-18"}]})
    assert created.status_code == 201, created.json()
    expected = {"slug": "atlas-server", "name": "Atlas Server", "versions": [
        {"version": "4.0", "released_on": "2024-06-03"},
        {"version": "4.1", "released_on": "2024-11-18"},
        {"version": "4.2", "released_on": "2025-02-10"},
        {"version": "4.3-beta", "released_on": None}]}
    assert created.json() == expected
    for reader in (lena, vera, dana):
        listed = api(reader).get("/products")
        assert listed.status_code == 200
        assert listed.json() == {"items": [expected]}
    assert api(vera).get("/products/atlas-server").json() == expected


def test_the_slug_comes_from_the_name_unless_given(api, ada):
    client = api(ada)
    assert client.post("/products", {"name": "Zeta  Café Reports"}).json()["slug"] == (
        "zeta-cafe-reports")
    given = client.post("/products", {"name": "Beacon Mobile", "slug": "beacon"})
    assert given.status_code == 201
    assert given.json() == {"slug": "beacon", "name": "Beacon Mobile", "versions": []}
    names = [p["name"] for p in client.get("/products").json()["items"]]
    assert names == ["Beacon Mobile", "Zeta Café Reports"]


def test_a_release_is_added_later_and_listed_in_order(api, ada, lena):
    client = api(ada)
    client.post("/products", {"name": "Beacon Mobile", "versions": [
        {"version": "2.8", "released_on": "2024-09-30"}]})
    added = client.post("/products/beacon-mobile/versions",
                        {"version": "3.0", "released_on": "2025-01-07"})
    assert added.status_code == 201, added.json()
    assert added.json()["versions"] == [{"version": "2.8", "released_on": "2024-09-30"},
                                        {"version": "3.0", "released_on": "2025-01-07"}]
    # The product may be named by its name in the path too.
    assert client.post("/products/Beacon Mobile/versions",
                       {"version": "3.1 RC 1"}).status_code == 201
    stored = Version.objects.filter(product__slug="beacon-mobile")
    assert sorted(stored.values_list("name", flat=True)) == ["2.8", "3.0", "3.1 RC 1"]


def test_only_admins_add_products_or_versions(api, ada, lena, vera, dana):
    api(ada).post("/products", {"name": "Atlas Server"})
    for user in (lena, vera, dana):
        client = api(user)
        refused = client.post("/products", {"name": "Sneaky Suite"})
        assert refused.status_code == 403, refused.content
        assert "admin" in refused.json()["detail"]
        assert client.post("/products/atlas-server/versions",
                           {"version": "9.9"}).status_code == 403
    assert list(Product.objects.values_list("name", flat=True)) == ["Atlas Server"]
    assert not Version.objects.exists()


def test_an_unknown_product_in_the_path_is_404(api, ada, lena):
    assert api(lena).get("/products/ledger").status_code == 404
    missing = api(ada).post("/products/ledger/versions", {"version": "5.1"})
    assert missing.status_code == 404
    assert "ledger" in missing.json()["detail"]


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "Atlas server"}, "name"),  # Atlas Server exists: names are unique in any case
    ({"name": "Atlas Two", "slug": "atlas-server"}, "slug"),
    ({"name": "Atlas Two", "slug": "Atlas Two"}, "slug"),
    ({"name": "Atlas Two", "slug": "atlas/two"}, "slug"),
    ({"name": "!!!"}, "slug"),  # nothing to make a slug of
    ({"name": "Atlas Two", "versions": [{"version": "1.0", "released_on": "31.01.2025"}]},
     "versions.0.released_on"),
    ({"name": "Atlas Two", "versions": [{"version": "1.0"}, {"version": "1.1",
                                                             "released_on": "2025-02-30"}]},
     "versions.1.released_on"),
    ({"name": "Atlas Two", "versions": [{"version": "1.0"}, {"version": "1.0"}]},
     "versions.1.version"),
    ({"name": "Atlas Two", "versions": [{"version": "1.0-RC"}, {"version": "1.0-rc"}]},
     "versions.1.version"),
    ({"name": "Atlas Two", "versions": [{"version": ""}]}, "versions.0.version"),
    ({"name": "Atlas Two", "versions": [{"version": "  "}]}, "versions.0.version"),
    ({"name": "Atlas Two", "versions": [{"version": "v" * 51}]}, "versions.0.version"),
    ({"name": "Atlas Two", "versions": [{"released_on": "2025-01-01"}]},
     "versions.0.version"),
    ({"name": "Atlas Two", "versions": ["1.0"]}, "versions.0"),
    ({"name": "Atlas Two", "vendor": "us"}, "vendor"),
])
def test_bad_product_input_is_422_naming_the_field(api, ada, body, field):
    client = api(ada)
    client.post("/products", {"name": "Atlas Server"})
    response = client.post("/products", body)
    assert response.status_code == 422, response.content
    assert field in field_errors(response), field_errors(response)
    assert list(Product.objects.values_list("name", flat=True)) == ["Atlas Server"]
    assert not Version.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"version": "4.1"}, "version"),
    ({"version": " 4.1 "}, "version"),
    ({"version": "4.2", "released_on": "soon"}, "released_on"),
    ({"version": "4.2", "released_on": "2025-13-01"}, "released_on"),
    ({}, "version"),
    ({"version": "4.2", "notes": "big one"}, "notes"),
])
def test_a_bad_or_existing_version_is_422_naming_the_field(api, ada, body, field):
    client = api(ada)
    client.post("/products", {"name": "Atlas Server", "versions": [{"version": "4.1"}]})
    response = client.post("/products/atlas-server/versions", body)
    assert response.status_code == 422, response.content
    assert field in field_errors(response), field_errors(response)
    assert list(Version.objects.values_list("name", flat=True)) == ["4.1"]


def test_the_product_list_costs_the_same_for_few_or_many(api, ada,
                                                         django_assert_max_num_queries):
    client = api(ada)
    client.post("/products", {"name": "Product 0", "versions": [{"version": "1"}]})
    for n in range(1, 8):
        client.post("/products", {"name": f"Product {n}",
                                  "versions": [{"version": f"{n}.{m}"} for m in range(n)]})
    client.get("/me")
    with django_assert_max_num_queries(4):
        listed = client.get("/products").json()["items"]
    assert len(listed) == 8 and len(listed[7]["versions"]) == 7
