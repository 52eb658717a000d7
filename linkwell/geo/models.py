"""Where places are: postcode centroids (and, later, deprivation areas)."""

from django.db import models


class PostcodeCentroid(models.Model):
    """One live postcode's centroid, from the ONS Postcode Directory (ONSPD).

    `postcode` is in the ONSPD `pcds` form (one space before the inward code, e.g. 'LS6 1AB');
    `district` is its outward code ('LS6'), kept so an unknown postcode can fall back to it.
    """

    postcode = models.CharField(max_length=8, primary_key=True)
    district = models.CharField(max_length=4, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["postcode"]

    def __str__(self):
        return self.postcode
