"""A small world for the reporting tests: two PCNs of one ICB, one PCN of another, and cases
with contacts, status changes, onward referrals and outcome measures, made through the apps'
own services."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from linkwell import write_guard
from linkwell.accounts.models import Role
from linkwell.cases import services as cases
from linkwell.cases.models import Case, Referral
from linkwell.directory.models import Service
from linkwell.geo.models import AreaDeprivation, PostcodeCentroid, PracticeDeprivation
from linkwell.outcomes.services import record_administration
from tests.connections.factories import connect
from tests.directory.factories import load, record
from tests.factories import ICBFactory, PCNFactory, PracticeFactory, make_case, user_with_role


@dataclass
class World:
    icb: object
    pcns: list
    practices: list
    other_pcn: object
    workers: list
    manager: object  # ICB manager
    pcn_manager: object
    cases: list


# A third of people live in an LSOA with a known IMD; a third in an LSOA without one; a third
# at a postcode whose LSOA is not known (see add_deprivation).
POSTCODES = ("LS6 1AB", "LS1 4AP", "BD1 1AA")


def _case(practice, worker, i, *, days_ago, born):
    case = make_case(
        practice=practice,
        by=worker,
        family_name=f"Person{i}",
        date_of_birth=born,
        sex="12"[i % 2],
        ethnicity="AHZ"[i % 3],
        postcode=POSTCODES[i % 3],
    )
    received = timezone.now() - timedelta(days=days_ago)
    with write_guard.allowed("test world: back-dated referrals with varied reasons"):
        Referral.objects.filter(pk=case.referral_id).update(
            received_at=received, reasons=["loneliness", "money"][: 1 + i % 2]
        )
        Case.objects.filter(pk=case.pk).update(opened_at=received)
    case.refresh_from_db()
    return case


def build_world() -> World:
    icb = ICBFactory()
    pcns = [PCNFactory(parent=icb), PCNFactory(parent=icb)]
    practices = [PracticeFactory(parent=pcns[0]), PracticeFactory(parent=pcns[1])]
    other_pcn = PCNFactory()
    workers = [user_with_role(Role.LINK_WORKER, pcn) for pcn in pcns]
    (walking,) = load(record(name="Striders", terms=("walking",)))
    service = Service.objects.get(pk=walking["id"])
    made = []
    for i in range(24):
        practice, worker = practices[i % 2], workers[i % 2]
        case = _case(practice, worker, i, days_ago=5 + 3 * i, born=date(1940 + 2 * i, 3, 1))
        cases.assign(case=case, link_worker=worker, by=worker)
        if i % 4 != 3:  # most are contacted, after 1 to 9 days
            at = case.opened_at + timedelta(days=1 + i % 9)
            for _ in range(1 + i % 3):
                cases.record_contact(
                    case=case, at=at, mode="phone", minutes=10, notes="", by=worker
                )
        if i % 4 == 3 and i % 8 == 3:
            cases.transition(case=case, to="declined", by=worker)
        case.refresh_from_db()
        if i % 3 == 0 and case.is_open:
            connect(case, service, worker)
        if i % 2 == 0:
            later = ("follow_up", [1, 2, 1] if i % 4 else [3, 3, 3], 1)
            for timepoint, answers, when in (("baseline", [3, 3, 3], 4 + 3 * i), later):
                record_administration(
                    case=case,
                    instrument="ucla3",
                    answers=answers,
                    timepoint=timepoint,
                    mode="phone",
                    by=worker,
                    administered_at=timezone.now() - timedelta(days=when),
                )
        made.append(case)
    other = make_case(pcn=other_pcn, family_name="Elsewhere")
    made.append(other)
    return World(
        icb,
        pcns,
        practices,
        other_pcn,
        workers,
        user_with_role(Role.COMMISSIONER, icb),
        user_with_role(Role.MANAGER, pcns[0]),
        made,
    )


def add_deprivation(world: World) -> None:
    """Area and practice deprivation: people at LS6 1AB are in an IMD quintile 1 area; the
    others fall back to their practice, which has quintile 2 for the first practice and no
    IMD for the second."""
    for postcode, lsoa in zip(POSTCODES, ("E01099901", "E01099999", ""), strict=True):
        PostcodeCentroid.objects.create(
            postcode=postcode,
            district=postcode.split()[0],
            latitude=53.8,
            longitude=-1.5,
            lsoa=lsoa,
        )
    AreaDeprivation.objects.create(
        lsoa="E01099901", name="Leeds 901A", imd_year=2019, rank=812, decile=1, quintile=1
    )
    PracticeDeprivation.objects.create(
        ods_code=world.practices[0].ods_code,
        name=world.practices[0].name,
        imd_year=2019,
        score=30.0,
        quintile=2,
    )
