"""Loading postcode centroids."""

from itertools import islice
from pathlib import Path

from django.db import transaction

from . import onspd
from .models import PostcodeCentroid
from .postcodes import district_of

BATCH = 5000


@transaction.atomic
def import_onspd(*, path: Path) -> int:
    """Upsert every live postcode in an ONSPD CSV, streaming; all or nothing. Returns the count."""
    count = 0
    centroids = onspd.read(path)
    while rows := list(islice(centroids, BATCH)):
        PostcodeCentroid.objects.bulk_create(
            [
                PostcodeCentroid(
                    postcode=c.postcode,
                    district=district_of(c.postcode),
                    latitude=c.latitude,
                    longitude=c.longitude,
                )
                for c in rows
            ],
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["district", "latitude", "longitude"],
        )
        count += len(rows)
    return count
