import pytest

from linkwell.delivery.backends import MemoryBackend


@pytest.fixture(autouse=True)
def tasks_inline(settings):
    """Background tasks run at once, in the test's transaction (django-tasks' immediate
    backend); text messages are kept in memory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.DELIVERY_BACKENDS = {
        **settings.DELIVERY_BACKENDS,
        "text": "linkwell.delivery.backends.MemoryBackend",
    }
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()
