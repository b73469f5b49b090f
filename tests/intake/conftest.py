"""Intake is reached from the API and the desk: their client fixtures, here too."""

from tests.api.conftest import api  # noqa: F401  (the API client fixture)
from tests.desk.conftest import signed_in  # noqa: F401  (a signed-in desk session)
