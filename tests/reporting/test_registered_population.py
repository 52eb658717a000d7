"""Referrals by age band and sex against the registered population by age and sex (NHS
Digital, Patients Registered at a GP Practice), shown only when it is loaded for every
practice in the report's scope, and published through disclosure control."""

import csv
import io

import pytest

from linkwell.geo.services import import_registered_population
from tests.geo.test_registered_population import POPULATION

pytestmark = pytest.mark.django_db
RATE = "Referrals per 1,000 registered"


def _csv(response):
    return [r for r in csv.reader(io.StringIO(response.content.decode())) if r]


def _heading(rows):
    return next(r for r in rows if r[0] in ("Age band", "Sex"))


def _file_patients(code, sex, ages):
    total = 0
    for line in POPULATION.read_text().splitlines()[1:]:
        cells = line.split(",")
        if cells[5] == code and cells[7] == sex and cells[8] != "ALL":
            low = 95 if cells[8] == "95+" else int(cells[8].split("_")[0])
            total += int(cells[9]) if low in ages else 0
    return total


def _with_codes(world):
    for practice, code in zip(world.practices, ("B86032", "B83628"), strict=True):
        practice.ods_code = code
        practice.save()


def test_without_the_population_age_and_sex_show_referrals_only(client, world):
    _with_codes(world)
    client.force_login(world.manager)
    for key in ("referrals_by_age", "referrals_by_sex"):
        rows = _csv(client.get(f"/reporting/export/{key}.csv"))
        assert "Registered patients" not in _heading(rows) and RATE not in _heading(rows)


def test_age_and_sex_gain_registered_patients_and_rates(client, world, settings):
    settings.REPORTING_SUPPRESS_UP_TO, settings.REPORTING_ROUND_TO = 0, 1  # exact, to check
    _with_codes(world)
    import_registered_population(path=POPULATION)
    client.force_login(world.manager)

    sex = {r[0]: r for r in _csv(client.get("/reporting/export/referrals_by_sex.csv"))}
    assert sex["Sex"] == ["Sex", "Referrals", "Registered patients", RATE]
    male = sum(_file_patients(c, "MALE", range(0, 100, 5)) for c in ("B86032", "B83628"))
    assert sex["Male"][1:] == ["12", str(male), f"{1000 * 12 / male:.1f}"]
    assert sex["Indeterminate"][2:] == ["–", "–"]

    age = {r[0]: r for r in _csv(client.get("/reporting/export/referrals_by_age.csv"))}
    assert "0–17" not in age and "18–24" not in age  # not whole five-year bands: merged
    young = sum(
        _file_patients(c, s, range(0, 25, 5))
        for c in ("B86032", "B83628")
        for s in ("MALE", "FEMALE")
    )
    assert age["0–24"][1:] == ["0", str(young), "0.0"]
    oldest = sum(
        _file_patients(c, s, range(85, 100, 5))
        for c in ("B86032", "B83628")
        for s in ("MALE", "FEMALE")
    )
    referred = int(age["85 and over"][1])
    assert age["85 and over"][2:] == [str(oldest), f"{1000 * referred / oldest:.1f}"]

    html = client.get("/reporting/").content.decode()
    assert "Patients Registered at a GP Practice" in html
    assert "no per-practice count by ethnic category is published" in html


def test_registered_patients_pass_through_disclosure_control(client, world):
    _with_codes(world)
    import_registered_population(path=POPULATION)
    client.force_login(world.manager)
    sex = {r[0]: r for r in _csv(client.get("/reporting/export/referrals_by_sex.csv"))}
    referrals, patients = int(sex["Male"][1]), int(sex["Male"][2])
    assert referrals % 5 == 0 and patients % 5 == 0  # rounded to the nearest 5
    assert sex["Male"][3] == f"{1000 * referrals / patients:.1f}"  # from published counts


def test_not_shown_unless_every_practice_in_scope_is_loaded(client, world):
    world.practices[0].ods_code = "B86032"
    world.practices[0].save()
    world.practices[1].ods_code = "Y99999"  # no figures in the file
    world.practices[1].save()
    import_registered_population(path=POPULATION)
    client.force_login(world.manager)
    rows = _csv(client.get("/reporting/export/referrals_by_age.csv"))
    assert "Registered patients" not in _heading(rows)
    pcn = world.pcns[0].pk  # only the loaded practice's PCN
    rows = _csv(client.get(f"/reporting/export/referrals_by_age.csv?pcn={pcn}"))
    assert "Registered patients" in _heading(rows)
