import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linkwell.people import subject_access
from linkwell.people.models import Person
from linkwell.people.subject_access_pdf import render


class Command(BaseCommand):
    help = (
        "Data protection for a person's record: export PERSON_ID (subject access, JSON or PDF), "
        "erase PERSON_ID --reason …, apply-retention [--dry-run]."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Everything held about a person.")
        export.add_argument("person_id", type=int)
        export.add_argument("--format", choices=["json", "pdf"], default="json")
        export.add_argument("--out", type=Path, required=True)
        erase = sub.add_parser("erase", help="Remove what identifies the person and their notes.")
        erase.add_argument("person_id", type=int)
        erase.add_argument("--reason", required=True)
        retention = sub.add_parser(
            "apply-retention", help="Erase records past the retention period."
        )
        retention.add_argument("--dry-run", action="store_true")

    def handle(self, *args, action, **options):
        if action == "apply-retention":
            return self._retention(options["dry_run"])
        person = Person.objects.filter(pk=options["person_id"]).first()
        if person is None:
            raise CommandError(f"No person with id {options['person_id']}.")
        if action == "export":
            data = subject_access.export(person=person, by=None, fmt=options["format"])
            out = options["out"]
            if options["format"] == "pdf":
                out.write_bytes(render(data))
            else:
                out.write_text(json.dumps(data, indent=2, ensure_ascii=False))
            self.stdout.write(f"Wrote {out}.")
        else:
            try:
                subject_access.erase(person=person, by=None, reason=options["reason"])
            except subject_access.SubjectAccessError as e:
                raise CommandError(str(e)) from e
            self.stdout.write(f"Erased the identifying details of person {person.pk}.")

    def _retention(self, dry_run: bool):
        due = list(subject_access.due_for_retention())
        for person in due:
            if not dry_run:
                subject_access.erase(person=person, by=None, reason="retention period ended")
        verb = "Would erase" if dry_run else "Erased"
        self.stdout.write(f"{verb} {len(due)} record(s) past the retention period.")
