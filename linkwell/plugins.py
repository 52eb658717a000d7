"""Finding the modules each Linkwell app offers under a conventional name.

Apps contribute to cross-cutting jobs without anyone importing their tables: `demo.py` (demo
data), `personal_data.py` (subject access and erasure). The order is INSTALLED_APPS order.
"""

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> list[ModuleType]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("linkwell."):
            continue
        dotted = f"{config.name}.{name}"
        if find_spec(dotted) is not None:
            found.append(import_module(dotted))
    return found
