"""Problems' cast: the Ledger product with a shipped and an unreleased version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from frontline.customers.models import Product, Version


@pytest.fixture
def ledger(db: None) -> Product:
    return Product.objects.create(name="Ledger", slug="ledger")


@pytest.fixture
def shipped(ledger: Product) -> Version:
    return Version.objects.create(product=ledger, name="5.1.3",
                                  released_on=timezone.localdate() - timedelta(days=2))


@pytest.fixture
def upcoming(ledger: Product) -> Version:
    return Version.objects.create(product=ledger, name="5.2.0",
                                  released_on=timezone.localdate() + timedelta(days=9))
