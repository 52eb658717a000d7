"""The outbox's background task (django-tasks, run by `linkwell worker`)."""

from django_tasks import task


@task()
def send_delivery(delivery_id: int) -> str:
    from .services import attempt

    return attempt(delivery_id).status
