from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "linkwell.portal"
    label = "portal"
    verbose_name = "The person's own pages"
