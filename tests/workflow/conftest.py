"""The workflow is reached from every face: these tests drive the API and the desk."""

from tests.api.conftest import api  # noqa: F401  (the API client fixture)
from tests.desk.conftest import signed_in  # noqa: F401  (a signed-in desk session)
