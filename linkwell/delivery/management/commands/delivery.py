from django.core.management.base import BaseCommand

from linkwell.delivery.services import read_acknowledgements, refresh_sent, reseal_queued, send_due


class Command(BaseCommand):
    help = (
        "The outbox: send-due queues retries that are due and sends left half-done by a worker "
        "that died (run it every few minutes; `linkwell worker` sends); poll asks GOV.UK Notify "
        "and MESH what became of sent messages (where Notify's callback is not set up) and reads "
        "the practices' acknowledgements; reseal seals waiting messages under the newest of "
        "DELIVERY_KEYS (after a key rotation)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send-due", help="Queue every delivery that is due to be tried again.")
        sub.add_parser("poll", help="Update sent messages from the providers' status.")
        sub.add_parser("reseal", help="Seal waiting messages under the newest delivery key.")

    def handle(self, *args, action, **options):
        if action == "send-due":
            self.stdout.write(f"Queued {send_due()} deliveries.")
        elif action == "reseal":
            self.stdout.write(f"Resealed {reseal_queued()} waiting messages.")
        else:
            changed = refresh_sent() + read_acknowledgements()
            self.stdout.write(f"{changed} deliveries changed status.")
