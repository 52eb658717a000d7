from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "linkwell.delivery"
    label = "delivery"
    verbose_name = "Delivery: everything that leaves Linkwell"

    def ready(self):
        from . import checks  # noqa: F401 — production refuses console and memory backends
