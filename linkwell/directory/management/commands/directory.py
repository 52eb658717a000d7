import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from linkwell.accounts.models import Organisation
from linkwell.directory.exporting import export_services
from linkwell.directory.importing import ImportRefused, import_services
from linkwell.directory.models import DirectoryOrganisation
from linkwell.directory.services import link_organisation


class Command(BaseCommand):
    # A data command: Django's system checks import every module of the site first (3 s on
    # each run); `linkwell check`, `migrate` and the server run them.
    requires_system_checks = []
    help = (
        "The service directory: `directory import PATH [--sync]` loads ORUK JSON or an HSDS CSV "
        "package (all or nothing); `directory export [--out FILE]` writes ORUK JSON; "
        "`directory link ORG_ID PROVIDER` lets a provider organisation maintain its services."
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
        link = sub.add_parser(
            "link", help="Let a provider organisation's users maintain a directory organisation."
        )
        link.add_argument("directory_organisation", help="The ORUK organization id.")
        link.add_argument("provider", help="The Linkwell provider organisation's name or id.")

    def handle(self, *args, action, **options):
        if action == "import":
            self._import(options["path"], options["sync"])
        elif action == "link":
            self._link(options["directory_organisation"], options["provider"])
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

    def _link(self, organisation_id, provider):
        organisation = DirectoryOrganisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise CommandError(f"No directory organisation with id {organisation_id!r}.")
        lookup = {"pk": int(provider)} if provider.isdigit() else {"name": provider}
        account = Organisation.objects.filter(**lookup).first()
        if account is None:
            raise CommandError(f"No Linkwell organisation {provider!r}.")
        try:
            link_organisation(organisation=organisation, account=account)
        except ValidationError as e:
            raise CommandError(" ".join(sum(e.message_dict.values(), []))) from e
        self.stdout.write(f"{account}'s provider users now maintain {organisation}'s services.")
