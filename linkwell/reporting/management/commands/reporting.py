import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linkwell.accounts.models import Organisation, OrganisationKind
from linkwell.reporting import national_return, snapshot
from linkwell.reporting.periods import parse_month


class Command(BaseCommand):
    help = (
        "Reporting: `reporting snapshot` writes the Parquet snapshot the DuckDB engine reads; "
        "`reporting national-return --month YYYY-MM` writes the month's SNOMED CT coded activity "
        "per PCN as CSV (every PCN; under the disclosure rule)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        snap = sub.add_parser("snapshot", help="Write the snapshot (REPORTING_SNAPSHOT_DIR).")
        snap.add_argument("--directory", type=Path, help="Somewhere else to write it.")
        ret = sub.add_parser("national-return", help="The monthly national return, as CSV.")
        ret.add_argument("--month", required=True, help="YYYY-MM")
        ret.add_argument("--output", type=Path, help="A file to write (default: standard output).")

    def handle(self, *args, action, **options):
        if action == "snapshot":
            directory = options["directory"] or Path(settings.REPORTING_SNAPSHOT_DIR)
            counts = snapshot.write(directory=directory)
            rows = ", ".join(f"{label} {n:,}" for label, n in counts.items())
            self.stdout.write(f"Snapshot written to {directory}: {rows}.")
            return
        try:
            month = parse_month(options["month"])
        except ValueError as e:
            raise CommandError(str(e)) from e
        pcns = Organisation.objects.filter(kind=OrganisationKind.PCN).values_list("pk", flat=True)
        content = national_return.to_csv(month, set(pcns))
        if options["output"]:
            options["output"].write_text(content, encoding="utf-8")
            self.stdout.write(f"National return for {month:%Y-%m} written to {options['output']}.")
        else:
            sys.stdout.write(content)
