"""Background tasks (django-tasks): stored with the change that causes them, run by
`linkwell worker`, inline in tests. Each reads the check-in afresh when it runs."""

from django_tasks import task


@task()
def send_checkin(checkin_id: int) -> bool:
    from .sending import deliver

    return deliver(checkin_id)
