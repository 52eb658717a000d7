from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "linkwell.cases"
    label = "cases"
