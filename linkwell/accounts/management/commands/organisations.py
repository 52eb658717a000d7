from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linkwell.accounts.area import AreaFileError, import_area


class Command(BaseCommand):
    help = (
        "`organisations import FILE… --icb-lookup CCG_ICB_code.csv [--icb CODE]` builds ICBs, "
        "PCNs and GP practices from NHS Payments to General Practice files (oldest first)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser(
            "import",
            help="Build PCNs and practices; all or nothing: any problem in the files is reported, "
            "with every other, and nothing is written.",
        )
        build.add_argument("files", nargs="+", type=Path, help="Payments CSVs (.csv or .csv.gz)")
        build.add_argument(
            "--icb-lookup",
            type=Path,
            required=True,
            help="CSV with columns `CCG Code,ICB Code,ICB NAME` naming each location's ICB",
        )
        build.add_argument("--icb", default="", help="Only this ICB's (its code, e.g. QWO)")

    def handle(self, *args, files, icb_lookup, icb, **options):
        try:
            built = import_area(files=files, icb_lookup=icb_lookup, only_icb=icb.strip().upper())
        except AreaFileError as e:
            count = len(e.problems)
            these = "this problem" if count == 1 else f"these {count} problems"
            raise CommandError(f"Nothing was changed: fix {these} and run it again.\n{e}") from e
        if not built.created and not built.changed:
            self.stdout.write(
                f"Nothing changed: Linkwell already has these {built.unchanged} organisations "
                "as the files give them."
            )
            return
        for kind in ("icb", "pcn", "practice"):
            self.stdout.write(
                f"{kind}: {built.created.get(kind, 0)} created, "
                f"{built.changed.get(kind, 0)} changed"
            )
        self.stdout.write(f"unchanged: {built.unchanged}")
