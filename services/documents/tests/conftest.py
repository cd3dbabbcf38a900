import pytest

from services.documents import create_app
from services.documents.domain.store import file_store
from services.documents.messaging.handlers import handlers_for
from services.documents.tests.helpers import make_env
from shared.kit.auth import mint_token
from shared.kit.db import Database


@pytest.fixture
def settings(tmp_path):
    return make_env(tmp_path)


@pytest.fixture
def db(settings):
    database = Database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture
def store(settings):
    return file_store(settings)


@pytest.fixture
def handlers(store):
    return handlers_for(store)


@pytest.fixture
def client(settings):
    return create_app(settings).test_client()


@pytest.fixture
def auth(settings):
    def headers(programs=("transportation",), roles=("account_manager",), user="am.garcia"):
        return {"Authorization": f"Bearer {mint_token(settings, user, roles=list(roles), programs=list(programs))}"}
    return headers

