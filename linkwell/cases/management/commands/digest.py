from django.core.management.base import BaseCommand

from linkwell import inbox_digest


class Command(BaseCommand):
    help = (
        "The Today inbox's daily email digest: send queues today's for each link worker who "
        "turned it on and has something waiting (run it each morning; reruns send nothing "
        "twice; `linkwell worker` sends)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send", help="Queue today's digests.")

    def handle(self, *args, action, **options):
        self.stdout.write(f"Queued {inbox_digest.send()} Today inbox digests.")
