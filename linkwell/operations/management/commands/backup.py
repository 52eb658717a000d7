from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linkwell.operations.backup import BackupError, backup, digest


class Command(BaseCommand):
    help = "Back up the whole database to FILE (SQLite online backup, or pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            backup(file)
        except BackupError as e:
            raise CommandError(str(e)) from e
        rows = sum(n for n, _ in digest().values())
        self.stdout.write(f"Backed up {rows:,} rows to {file}.")
