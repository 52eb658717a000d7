from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linkwell.cases.models import Case
from linkwell.standards import doc
from linkwell.standards.gaps import completeness, missing

DOC = Path(settings.BASE_DIR) / "docs" / "standards" / "prsb-social-prescribing.md"


class Command(BaseCommand):
    help = (
        "The PRSB Social Prescribing Information Standard: check [--case ID] reports missing "
        "minimum items (counts per item, or one case's gaps); doc rewrites the conformance page."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Which minimum items are missing.")
        check.add_argument("--case", type=int, help="One case instead of the whole database.")
        written = sub.add_parser("doc", help="Write the conformance document from the items.")
        written.add_argument("--out", type=Path, default=DOC)

    def handle(self, *args, action, **options):
        if action == "doc":
            options["out"].write_text(doc.render())
            self.stdout.write(f"Wrote {options['out']}.")
            return
        if options["case"] is not None:
            return self._one(options["case"])
        self.stdout.write(f"{'Item':40} {'Missing':>8} {'Due':>8}")
        for name, recorded, total in completeness(Case.objects.all()):
            self.stdout.write(f"{name:40} {total - recorded:>8} {total:>8}")

    def _one(self, pk):
        case = Case.objects.filter(pk=pk).first()
        if case is None:
            raise CommandError(f"No case with id {pk}.")
        gaps = missing(case)
        if not gaps:
            self.stdout.write(f"Case {pk}: every minimum item due is recorded.")
        for item in gaps:
            self.stdout.write(f"Case {pk}: missing {item.label}")
