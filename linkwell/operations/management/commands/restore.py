from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linkwell.operations.backup import BackupError, digest, restore


class Command(BaseCommand):
    help = "Replace this database's contents with the backup in FILE. Asks first unless --yes."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, file, yes, **options):
        if (
            not yes
            and input("This replaces everything in the database. Type 'restore': ") != "restore"
        ):
            raise CommandError("Not restored.")
        try:
            restore(file)
        except BackupError as e:
            raise CommandError(str(e)) from e
        rows = sum(n for n, _ in digest().values())
        self.stdout.write(f"Restored {rows:,} rows from {file}.")
