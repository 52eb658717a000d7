import pytest

from linkwell.connections.sms import MemoryBackend


@pytest.fixture(autouse=True)
def tasks_inline(settings):
    """Background tasks run at once, in the test's transaction (django-tasks' immediate
    backend); text messages are kept in memory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SMS_BACKEND = "linkwell.connections.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()
