from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "linkwell.checkins"
    label = "checkins"
    verbose_name = "Check-ins with the person"

    def ready(self):
        from . import signals  # noqa: F401 — schedules a check-in for each new connection
