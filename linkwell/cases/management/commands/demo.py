from django.core.management.base import BaseCommand
from django.db import transaction

from linkwell.accounts.models import Organisation
from linkwell.cases import demo
from linkwell.plugins import app_modules


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
    """The cases demo first (it makes the organisations and people), then the other apps'."""
    return [demo] + [m for m in app_modules("demo") if m is not demo]
