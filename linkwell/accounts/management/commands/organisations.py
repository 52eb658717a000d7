from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linkwell.accounts.area import AreaFileError, build_area, read_icb_lookup, read_payments


class Command(BaseCommand):
    help = (
        "`organisations import FILE… --icb-lookup CCG_ICB_code.csv [--icb CODE]` builds ICBs, "
        "PCNs and GP practices from NHS Payments to General Practice files (oldest first)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("import", help="Build PCNs and practices; all or nothing.")
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
            built = build_area(
                practices=read_payments(files),
                icbs=read_icb_lookup(icb_lookup),
                only_icb=icb.strip().upper(),
            )
        except AreaFileError as e:
            raise CommandError(f"{e} Nothing was changed.") from e
        for kind in ("icb", "pcn", "practice"):
            self.stdout.write(
                f"{kind}: {built.created.get(kind, 0)} created, "
                f"{built.changed.get(kind, 0)} changed"
            )
        self.stdout.write(f"unchanged: {built.unchanged}")
