import uuid

import pytest

from linkwell.delivery.backends import MemoryBackend
from tests.delivery.notify_server import NotifyServer

NOTIFY = "linkwell.delivery.notify.NotifyBackend"


@pytest.fixture(scope="session")
def notify_server():
    server = NotifyServer(service_id=str(uuid.uuid4()), secret=str(uuid.uuid4()))
    yield server
    server.stop()


@pytest.fixture
def notify(notify_server, settings):
    """Texts, emails and letters go through the real Notify client to the local server."""
    notify_server.reset()
    settings.NOTIFY_API_KEY = notify_server.api_key
    settings.NOTIFY_BASE_URL = notify_server.url
    settings.NOTIFY_TEMPLATES = {c: str(uuid.uuid4()) for c in ("text", "email", "letter")}
    settings.DELIVERY_BACKENDS = {**settings.DELIVERY_BACKENDS, "text": NOTIFY, "email": NOTIFY}
    settings.DELIVERY_BACKENDS["letter"] = NOTIFY
    return notify_server


@pytest.fixture
def database_tasks(settings):
    """Tasks wait in the database for `linkwell worker`, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def memory_outbox():
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()
