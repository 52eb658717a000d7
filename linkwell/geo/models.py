"""Where places are: postcode centroids with their LSOA, and deprivation by practice and by area."""

from django.db import models


class PostcodeCentroid(models.Model):
    """One live postcode's centroid, from the ONS Postcode Directory (ONSPD).

    `postcode` is in the ONSPD `pcds` form (one space before the inward code, e.g. 'LS6 1AB');
    `district` is its outward code ('LS6'), kept so an unknown postcode can fall back to it.
    `lsoa` is the Lower layer Super Output Area it lies in (ONSPD `lsoa11`, else `lsoa21`),
    blank when the loaded file has no LSOA column.
    """

    postcode = models.CharField(max_length=8, primary_key=True)
    district = models.CharField(max_length=4, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    lsoa = models.CharField(max_length=9, blank=True)

    class Meta:
        ordering = ["postcode"]

    def __str__(self):
        return self.postcode


class PracticeDeprivation(models.Model):
    """A GP practice's deprivation: the IMD score of its registered population.

    From OHID Fingertips indicator 93553 ("Deprivation score (IMD)", by GP practice): the
    population-weighted IMD score of the LSOAs its patients live in. `quintile` is 1 (most
    deprived fifth) to 5 (least), ranked over every practice in the imported file.
    """

    ods_code = models.CharField(max_length=12, primary_key=True)
    name = models.CharField(max_length=200)
    imd_year = models.PositiveSmallIntegerField()
    score = models.FloatField()
    quintile = models.PositiveSmallIntegerField()

    def __str__(self):
        return f"{self.ods_code} IMD {self.imd_year} quintile {self.quintile}"


class PracticeListSize(models.Model):
    """A GP practice's registered patients (NHS Payments to General Practice, last known)."""

    ods_code = models.CharField(max_length=12, primary_key=True)
    name = models.CharField(max_length=200)
    registered_patients = models.PositiveIntegerField()
    source = models.CharField(max_length=100, help_text="The file it was loaded from.")

    def __str__(self):
        return f"{self.ods_code}: {self.registered_patients} registered"


class RegisteredPopulation(models.Model):
    """A GP practice's registered patients of one sex in one five-year age band, from NHS
    Digital's "Patients Registered at a GP Practice" (`gp-reg-pat-prac-quin-age.csv`).
    `age_from` is the band's lower bound (0, 5, …, 90); 95 stands for 95 and over."""

    class Sex(models.TextChoices):
        MALE = "M", "Male"
        FEMALE = "F", "Female"

    ods_code = models.CharField(max_length=12)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    age_from = models.PositiveSmallIntegerField()
    patients = models.PositiveIntegerField()
    extract_date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ods_code", "sex", "age_from"], name="geo_registered_population_band"
            )
        ]

    def __str__(self):
        return f"{self.ods_code} {self.sex} {self.age_from}+: {self.patients}"


class AreaDeprivation(models.Model):
    """An LSOA's deprivation, from the English Indices of Deprivation ("File 1": IMD rank and
    decile of every LSOA in England). Rank 1 and decile 1 are the most deprived; `quintile` is
    (decile + 1) // 2, so quintile 1 is the most deprived fifth, as for practices."""

    lsoa = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=100)
    imd_year = models.PositiveSmallIntegerField()
    rank = models.PositiveIntegerField()
    decile = models.PositiveSmallIntegerField()
    quintile = models.PositiveSmallIntegerField()

    def __str__(self):
        return f"{self.lsoa} IMD {self.imd_year} decile {self.decile}"
