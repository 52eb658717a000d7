# Account emails go through the outbox: its task runs at once here, so `mail.outbox` has them;
# test_emails.py sends them as production does, through the worker and the local Notify server.
from tests.connections.conftest import tasks_inline  # noqa: F401
from tests.delivery.conftest import database_tasks, notify, notify_server  # noqa: F401
