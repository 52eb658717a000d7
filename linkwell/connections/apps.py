from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "linkwell.connections"
    label = "connections"
    verbose_name = "Connections to community services"
