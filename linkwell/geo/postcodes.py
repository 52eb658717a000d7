"""Turning a postcode into a point, with an honest fallback to its district."""

from dataclasses import dataclass

from django.db.models import Avg, Count

from linkwell.people.identifiers import normalise_postcode

from .models import PostcodeCentroid


@dataclass(frozen=True)
class Place:
    postcode: str
    latitude: float
    longitude: float
    exact: bool  # False: the centroid of the postcode's district, not of the postcode

    @property
    def note(self) -> str:
        if self.exact:
            return ""
        return (
            f"{self.postcode} is not in the postcode table, so distances are from the middle "
            f"of {district_of(self.postcode)}."
        )


def district_of(postcode: str) -> str:
    """The outward code: everything before the last three characters ('LS16 5JK' → 'LS16')."""
    return normalise_postcode(postcode).split(" ")[0]


def locate(postcode: str) -> Place | None:
    """The postcode's centroid; else the mean of the district's known postcodes; else None."""
    code = normalise_postcode(postcode)
    if not code:
        return None
    row = PostcodeCentroid.objects.filter(postcode=code).values("latitude", "longitude").first()
    if row is not None:
        return Place(code, row["latitude"], row["longitude"], exact=True)
    district = PostcodeCentroid.objects.filter(district=district_of(code)).aggregate(
        latitude=Avg("latitude"), longitude=Avg("longitude"), n=Count("postcode")
    )
    if not district["n"]:
        return None
    return Place(code, district["latitude"], district["longitude"], exact=False)
