from django.core.management.base import BaseCommand

from linkwell.delivery.services import refresh_sent, send_due


class Command(BaseCommand):
    help = (
        "The outbox: send-due queues retries that are due and sends left half-done by a worker "
        "that died (run it every few minutes; `linkwell worker` sends); poll asks GOV.UK Notify "
        "and MESH what became of sent messages (where Notify's callback is not set up)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send-due", help="Queue every delivery that is due to be tried again.")
        sub.add_parser("poll", help="Update sent messages from the providers' status.")

    def handle(self, *args, action, **options):
        if action == "send-due":
            self.stdout.write(f"Queued {send_due()} deliveries.")
        else:
            self.stdout.write(f"{refresh_sent()} deliveries changed status.")
