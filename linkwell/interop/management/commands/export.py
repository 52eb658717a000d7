from datetime import datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linkwell.interop import gp_record


class Command(BaseCommand):
    help = (
        "Exports for other systems. gp-record --since DATE [--out DIR] [--mesh]: the SNOMED CT "
        "coded social prescribing events per GP practice, as a FHIR Bundle and a CSV each; "
        "with --mesh, each Bundle is also queued for the practice's MESH mailbox."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        gp = sub.add_parser("gp-record", help="Coded events for write-back to GP records.")
        gp.add_argument("--since", required=True, help="YYYY-MM-DD: events on or after this day")
        gp.add_argument("--out", type=Path, default=Path("gp-record"))
        gp.add_argument(
            "--mesh", action="store_true", help="Also send each Bundle over MESH (linkwell worker)."
        )

    def handle(self, *args, what, since, out, mesh=False, **options):
        try:
            day = datetime.strptime(since, "%Y-%m-%d").date()
        except ValueError:
            raise CommandError("Give --since as YYYY-MM-DD, e.g. 2026-04-01.") from None
        events, unplaced = gp_record.coded_events(
            timezone.make_aware(datetime.combine(day, time.min))
        )
        counts = gp_record.write(events, out)
        if mesh:
            gp_record.send(events)
            self.stdout.write(f"Queued {len(counts)} Bundles for MESH (`linkwell worker` sends).")
        for practice, n in counts.items():
            self.stdout.write(f"{practice}: {n} coded events → {out / practice}.json, .csv")
        if not counts:
            self.stdout.write("No coded events since then.")
        if unplaced:
            self.stdout.write(f"{unplaced} events of people with no known practice not written.")
