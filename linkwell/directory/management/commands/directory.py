import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linkwell.directory.exporting import export_services
from linkwell.directory.importing import ImportRefused, import_services


class Command(BaseCommand):
    help = (
        "The service directory: `directory import PATH [--sync]` loads ORUK JSON or an HSDS CSV "
        "package (all or nothing); `directory export [--out FILE]` writes ORUK JSON."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="Load ORUK JSON, or a folder of HSDS CSV files.")
        load.add_argument("path", type=Path)
        load.add_argument(
            "--sync", action="store_true", help="Retire services missing from this source."
        )
        dump = sub.add_parser("export", help="Write every live service as ORUK JSON.")
        dump.add_argument("--out", type=Path, help="File to write (default: standard output).")
        dump.add_argument("--include-retired", action="store_true")

    def handle(self, *args, action, **options):
        if action == "import":
            self._import(options["path"], options["sync"])
        else:
            self._export(options["out"], options["include_retired"])

    def _import(self, path, sync):
        if not path.exists():
            raise CommandError(f"No such file or folder: {path}")
        try:
            result = import_services(source=path, sync=sync)
        except ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            if refused.total > len(refused.problems):
                self.stderr.write(f"… and {refused.total - len(refused.problems)} more.")
            raise CommandError(
                f"{path}: {refused.total} problem(s), so nothing was imported; "
                "the directory is unchanged."
            ) from None
        self.stdout.write(
            f"Imported {path}: {result.created} new, {result.updated} updated"
            + (f", {result.retired} retired" if sync else "")
            + " services."
        )

    def _export(self, out, include_retired):
        if out is None:
            count = export_services(sys.stdout, include_retired=include_retired)
        else:
            with open(out, "w", encoding="utf-8") as f:
                count = export_services(f, include_retired=include_retired)
            self.stdout.write(f"Exported {count} services to {out}.")
