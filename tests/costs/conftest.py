from tests.api.conftest import api  # noqa: F401  (fixtures shared with the API tests)
from tests.desk.conftest import signed_in  # noqa: F401
