from django.core.management.base import BaseCommand

from linkwell.checkins.sending import send_due


class Command(BaseCommand):
    help = (
        "Check-ins with people about their connections: send-due queues those that are due "
        "(run it hourly, like `linkwell reminders send-due`; `linkwell worker` sends them)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send-due", help="Queue every check-in that is due now.")

    def handle(self, *args, action, **options):
        self.stdout.write(f"Queued {send_due()} check-ins.")
