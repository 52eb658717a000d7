from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "linkwell.outcomes"
    label = "outcomes"
    verbose_name = "Outcome measures"
