from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linkwell.geo.onspd import OnspdError
from linkwell.geo.services import import_onspd


class Command(BaseCommand):
    help = "Places: `geo import FILE` loads postcode centroids from an ONS Postcode Directory CSV."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="Load an ONSPD CSV (e.g. ONSPD_MAY_2025_UK.csv).")
        load.add_argument("file", type=Path)

    def handle(self, *args, action, file, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        try:
            count = import_onspd(path=file)
        except OnspdError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"Loaded {count} postcode centroids from {file}.")
