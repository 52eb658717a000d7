from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "linkwell.reporting"
    label = "reporting"
    verbose_name = "Reporting"
