from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from linkwell.accounts.models import Organisation
from linkwell.cases import demo


class Command(BaseCommand):
    help = (
        "Load realistic synthetic demo data (skipped if any organisation exists): the cases "
        "demo first, then every other Linkwell app's `demo.load(seed=…)`, in INSTALLED_APPS order."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, seed, **options):
        if Organisation.objects.exists():
            self.stdout.write("Demo data not loaded: the database already has organisations.")
            return
        with transaction.atomic():
            for module in demo_modules():
                counts = module.load(seed=seed)
                summary = ", ".join(f"{n} {what}" for what, n in counts.items())
                self.stdout.write(f"{module.__name__}: loaded {summary}.")
        self.stdout.write(
            "Sign in as lw.leeds, gp.leeds, manager.leeds or admin "
            f"with password {demo.DEMO_PASSWORD}."
        )


def demo_modules():
    names = [
        f"{config.name}.demo"
        for config in apps.get_app_configs()
        if config.name.startswith("linkwell.") and config.name != "linkwell.cases"
    ]
    return [demo] + [import_module(n) for n in names if find_spec(n) is not None]
