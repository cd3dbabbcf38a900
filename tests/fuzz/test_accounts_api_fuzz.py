"""Generated requests against the accounts API, from its own OpenAPI document: whatever the
input, the answer is never a server error (bad input gets a 4xx problem)."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.fuzz.apps import service_app

APP, AUTH = service_app("accounts")
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)


@pytest.mark.fuzz
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_accounts_api_never_answers_a_server_error(case):
    case.call_and_validate(headers=AUTH, checks=[not_a_server_error])
