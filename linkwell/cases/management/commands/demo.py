from django.core.management.base import BaseCommand

from linkwell.accounts.models import Organisation
from linkwell.cases import demo


class Command(BaseCommand):
    help = "Load realistic synthetic demo data (skipped if any organisation exists)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, seed, **options):
        if Organisation.objects.exists():
            self.stdout.write("Demo data not loaded: the database already has organisations.")
            return
        counts = demo.load(seed=seed)
        self.stdout.write(
            "Loaded {organisations} organisations, {users} users and {cases} cases. ".format(
                **counts
            )
            + "Sign in as lw.leeds, gp.leeds, manager.leeds or admin "
            + f"with password {demo.DEMO_PASSWORD}."
        )
