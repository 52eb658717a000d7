"""`linkwell worker`: runs queued background tasks (reminders, notifications).

django-tasks' database worker (`db_worker` from django-tasks-db) under the project's name, with
the same options (`--batch` to run what is queued and stop, `--queue-name`, `--max-tasks`…).
"""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker


class Command(DatabaseWorker):
    help = "Run Linkwell's background tasks (reminders, notifications) from the database queue."
