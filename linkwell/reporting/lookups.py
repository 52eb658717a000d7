"""Small reads through the other apps' models: scope, names, practice populations.

These are reference data (organisations, staff names, public practice figures), never the
records of people; the aggregates themselves are in `queries.py`.
"""

from dataclasses import dataclass

from django.db.models import Sum

from linkwell.accounts.models import Organisation, OrganisationKind, Role, User
from linkwell.accounts.permissions import Capability, pcn_ids
from linkwell.geo.models import (
    AreaDeprivation,
    PracticeDeprivation,
    PracticeListSize,
    RegisteredPopulation,
)
from linkwell.outcomes.services import OutcomeError, instrument_for

from .disclosure import Rule
from .queries import Filters


def rule() -> Rule:
    return Rule.from_settings()


def scope(user) -> set[int]:
    """The PCNs whose reports the user may see: their PCN, or every PCN of their ICB."""
    return pcn_ids(user, Capability.VIEW_REPORTS)


def pcns(ids) -> list[Organisation]:
    return list(Organisation.objects.filter(kind=OrganisationKind.PCN, id__in=ids).order_by("name"))


def practices_of(ids):
    return Organisation.objects.filter(kind=OrganisationKind.PRACTICE, parent_id__in=ids)


def link_workers_of(ids):
    return (
        User.objects.filter(
            memberships__role=Role.LINK_WORKER, memberships__organisation_id__in=ids
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def names_of_organisations(ids) -> dict[int, str]:
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))


def user_names(ids) -> dict[int, str]:
    return {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids)}


@dataclass(frozen=True)
class Practice:
    id: int
    name: str
    ods_code: str
    quintile: int | None
    registered_patients: int | None


def practices(f: Filters) -> list[Practice]:
    found = practices_of(f.pcn_ids).order_by("name")
    if f.practice_id is not None:
        found = found.filter(pk=f.practice_id)
    found = list(found)
    codes = [p.ods_code for p in found]
    quintiles = dict(
        PracticeDeprivation.objects.filter(ods_code__in=codes).values_list("ods_code", "quintile")
    )
    sizes = dict(
        PracticeListSize.objects.filter(ods_code__in=codes).values_list(
            "ods_code", "registered_patients"
        )
    )
    return [
        Practice(p.pk, p.name, p.ods_code, quintiles.get(p.ods_code), sizes.get(p.ods_code))
        for p in found
    ]


def registered_by_age_sex(practices: list[Practice]) -> dict[tuple[str, int], int] | None:
    """(sex M or F, five-year band's lower bound) → registered patients of `practices`; None
    unless every one of them has figures loaded (a partial denominator would inflate rates)."""
    codes = {p.ods_code for p in practices}
    found = RegisteredPopulation.objects.filter(ods_code__in=codes).order_by()
    if not codes or found.values("ods_code").distinct().count() < len(codes):
        return None
    totals = found.values("sex", "age_from").annotate(n=Sum("patients"))
    return {(t["sex"], t["age_from"]): t["n"] for t in totals}


def practice_quintiles(ids) -> dict[int, int]:
    """Organisation id → its practice IMD quintile, for the practices that have one."""
    known = Organisation.objects.filter(
        kind=OrganisationKind.PRACTICE, pk__in=[i for i in ids if i is not None]
    ).exclude(ods_code="")
    codes = dict(known.values_list("ods_code", "pk"))
    found = PracticeDeprivation.objects.filter(ods_code__in=codes).values_list(
        "ods_code", "quintile"
    )
    return {codes[code]: quintile for code, quintile in found}


def quintile_label(quintile: int | None) -> str:
    if quintile is None:
        return "Practice IMD not known"
    return {1: "1 (most deprived)", 5: "5 (least deprived)"}.get(quintile, str(quintile))


def imd_year() -> int | None:
    return PracticeDeprivation.objects.values_list("imd_year", flat=True).first()


def area_imd_year() -> int | None:
    return AreaDeprivation.objects.values_list("imd_year", flat=True).first()


def _instrument(code):
    try:
        return instrument_for(code, include_retired=True)
    except OutcomeError:
        return None


def instrument_name(code: str) -> str:
    found = _instrument(code)
    return found.name if found else code


def higher_is_better(code: str) -> bool:
    found = _instrument(code)
    if found is None or not found.measures:
        return True
    return next((m for m in found.measures if m.key == "score"), found.measures[0]).higher_is_better
