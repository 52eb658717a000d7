from django.core.management.base import BaseCommand

from linkwell.connections.reminders import send_due


class Command(BaseCommand):
    help = (
        "Reminders about onward referrals: send-due queues provider nudges, overdue follow-up "
        "reminders and session reminders that are due (run it hourly; `linkwell worker` sends)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send-due", help="Queue every reminder that is due now.")

    def handle(self, *args, action, **options):
        counts = send_due()
        self.stdout.write("Queued " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")
