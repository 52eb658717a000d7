"""Background tasks (django-tasks). With the database backend they are stored in the same
transaction as the change that causes them and run by `linkwell worker`; tests run them inline.
Each task reads the record afresh, so a task that runs late acts on the state as it is then."""

from django_tasks import task

from linkwell.accounts.models import User
from linkwell.plugins import app_modules

from . import notifications
from .lifecycle import Status
from .models import Connection


@task()
def notify_provider(connection_id: int, kind: str) -> int:
    connection = Connection.objects.select_related("service__organisation").get(pk=connection_id)
    if kind == "nudge" and connection.status != Status.SENT:
        return 0  # answered since the nudge was scheduled
    sent = notifications.notify_provider(connection, kind)
    if kind == "new":
        # Providers whose own system takes the referral (linkwell/interop/provider_systems.py);
        # after the email, so a system that is down delays only this part, which fails the task.
        for module in app_modules("provider_systems"):
            module.send_referral(connection)
    return sent


@task()
def remind_link_worker(user_id: int, overdue: int) -> bool:
    return notifications.remind_link_worker(User.objects.get(pk=user_id), overdue)


@task()
def remind_person(connection_id: int) -> bool:
    connection = Connection.objects.select_related("case__person").get(pk=connection_id)
    if connection.status != Status.ACCEPTED:
        return False
    return notifications.remind_person(connection)
