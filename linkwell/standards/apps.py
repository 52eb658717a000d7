from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "linkwell.standards"
    label = "standards"
    verbose_name = "Social Prescribing Information Standard"
