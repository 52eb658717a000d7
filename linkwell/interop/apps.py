from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "linkwell.interop"
    label = "interop"
    verbose_name = "Interoperability (FHIR)"
