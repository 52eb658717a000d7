"""Loading postcode centroids, practice and area deprivation (IMD), practice list sizes and
registered patients by age and sex."""

from itertools import islice
from pathlib import Path

from django.db import transaction

from . import imd, onspd, registered
from .models import (
    AreaDeprivation,
    PostcodeCentroid,
    PracticeDeprivation,
    PracticeListSize,
    RegisteredPopulation,
)
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
                    lsoa=c.lsoa,
                )
                for c in rows
            ],
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["district", "latitude", "longitude", "lsoa"],
        )
        count += len(rows)
    return count


@transaction.atomic
def import_imd(*, path: Path, year: int | None = None) -> tuple[int, int]:
    """Replace the practice deprivation table with one IMD vintage from a Fingertips file
    (default: the latest in the file); quintiles are ranked over that file's practices.
    All or nothing. Returns (practices loaded, IMD year)."""
    scores = list(imd.read_scores(path))
    year = year or max((s.year for s in scores), default=None)
    chosen = [s for s in scores if s.year == year]
    if not chosen:
        raise imd.ImdFileError(f"{path}: no practice IMD scores for the year {year}.")
    ranks = imd.quintiles(chosen)
    PracticeDeprivation.objects.all().delete()
    PracticeDeprivation.objects.bulk_create(
        PracticeDeprivation(
            ods_code=s.ods_code,
            name=s.name,
            imd_year=year,
            score=s.score,
            quintile=ranks[s.ods_code],
        )
        for s in chosen
    )
    return len(chosen), year


@transaction.atomic
def import_area_imd(*, path: Path) -> tuple[int, int]:
    """Replace the area deprivation table with an IoD2019 File 1 (every LSOA's IMD rank and
    decile). All or nothing. Returns (LSOAs loaded, IMD year)."""
    areas = list(imd.read_areas(path))
    if not areas:
        raise imd.ImdFileError(f"{path}: no LSOA rows.")
    AreaDeprivation.objects.all().delete()
    AreaDeprivation.objects.bulk_create(
        (
            AreaDeprivation(
                lsoa=a.lsoa,
                name=a.name[:100],
                imd_year=imd.AREA_YEAR,
                rank=a.rank,
                decile=a.decile,
                quintile=a.quintile,
            )
            for a in areas
        ),
        batch_size=BATCH,
    )
    return len(areas), imd.AREA_YEAR


@transaction.atomic
def import_list_sizes(*, path: Path) -> int:
    """Upsert practices' registered patients from an NHS Payments file; all or nothing."""
    rows = [
        PracticeListSize(
            ods_code=r.ods_code,
            name=r.name,
            registered_patients=r.registered_patients,
            source=path.name[:100],
        )
        for r in imd.read_list_sizes(path)
    ]
    PracticeListSize.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["ods_code"],
        update_fields=["name", "registered_patients", "source"],
        batch_size=BATCH,
    )
    return len(rows)


@transaction.atomic
def import_registered_population(*, path: Path) -> tuple[int, int]:
    """Load registered patients by sex and five-year age band from an NHS Digital
    `gp-reg-pat-prac-quin-age.csv`, streaming; each practice in the file replaces its earlier
    rows, others are left alone. All or nothing. Returns (practices, rows) loaded."""
    practices, count = set(), 0
    bands = registered.read(path)
    while batch := list(islice(bands, BATCH)):
        new = {b.ods_code for b in batch} - practices
        RegisteredPopulation.objects.filter(ods_code__in=new).delete()
        practices |= new
        RegisteredPopulation.objects.bulk_create(
            RegisteredPopulation(
                ods_code=b.ods_code,
                sex=b.sex,
                age_from=b.age_from,
                patients=b.patients,
                extract_date=b.extract_date,
            )
            for b in batch
        )
        count += len(batch)
    if not count:
        raise imd.ImdFileError(f"{path}: no GP practice rows by sex and age band.")
    return len(practices), count
