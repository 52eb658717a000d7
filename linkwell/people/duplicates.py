"""Finding the same person recorded twice in a PCN, and merging the two records.

Likely duplicates share an NHS number, or a date of birth (allowing day and month swapped)
and a name that matches allowing one typo per name and first/last names swapped. A referral
whose NHS number is on a record with another name or date of birth is a possible mismatch:
it gets a record of its own and both case pages warn. A merge moves every record from the
duplicate to the record kept, so nothing is lost.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q

from linkwell import write_guard
from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction

from .models import Person


class MergeError(Exception):
    pass


@dataclass(frozen=True)
class Match:
    person: Person
    reasons: tuple[str, ...]


def _plain(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(c for c in decomposed if c.isalpha()).casefold()


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, swaps."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def names_match(a: str, b: str) -> bool:
    a, b = _plain(a), _plain(b)
    if not a or not b:
        return False
    # One slip is a typo in a name of four letters or more; shorter names must match.
    return a == b or (min(len(a), len(b)) >= 4 and edit_distance(a, b) <= 1)


def _swapped(day: date) -> date | None:
    try:
        return day.replace(month=day.day, day=day.month) if day.day <= 12 else None
    except ValueError:
        return None


def same_person(person: Person, *, given_name: str, family_name: str, date_of_birth) -> bool:
    """Whether details sent with an NHS number describe the record holding that number:
    the same date of birth, and names that match (one typo, or first and last swapped).
    Anything else is a possible mismatch for a link worker to check, never a silent match."""
    if person.date_of_birth != date_of_birth:
        return False
    straight = names_match(person.given_name, given_name) and names_match(
        person.family_name, family_name
    )
    crossed = names_match(person.given_name, family_name) and names_match(
        person.family_name, given_name
    )
    return straight or crossed


def likely_duplicates(person: Person) -> list[Match]:
    """Other live records in the same PCN that are probably this person."""
    dobs = [d for d in (person.date_of_birth, _swapped(person.date_of_birth)) if d]
    same = Q(date_of_birth__in=dobs)
    if person.nhs_number:
        same |= Q(nhs_number=person.nhs_number) | Q(referred_nhs_number=person.nhs_number)
    if person.referred_nhs_number:
        same |= Q(nhs_number=person.referred_nhs_number)
    candidates = (
        Person.objects.filter(same, organisation_id=person.organisation_id)
        .filter(merged_into__isnull=True, erased_at__isnull=True)
        .exclude(pk=person.pk)
    )
    matches = []
    for other in candidates:
        reasons = _reasons(person, other)
        if reasons:
            matches.append(Match(other, reasons))
    return matches


def _reasons(a: Person, b: Person) -> tuple[str, ...]:
    if a.nhs_number and a.nhs_number == b.nhs_number:
        return ("Same NHS number",)
    if b.nhs_number and b.nhs_number == a.referred_nhs_number:
        return (
            f"Possible mismatch: the referral gave NHS number {b.nhs_number_display}, which is "
            "on this record with a different name or date of birth",
        )
    if a.nhs_number and a.nhs_number == b.referred_nhs_number:
        return (
            f"Possible mismatch: their referral gave this record's NHS number "
            f"{a.nhs_number_display}, with a different name or date of birth",
        )
    if a.nhs_number and b.nhs_number:
        return ()  # two different NHS numbers are two different people
    straight = names_match(a.given_name, b.given_name) and names_match(a.family_name, b.family_name)
    crossed = names_match(a.given_name, b.family_name) and names_match(a.family_name, b.given_name)
    if not (straight or crossed):
        return ()
    reasons = [
        "Same date of birth"
        if a.date_of_birth == b.date_of_birth
        else "Date of birth with day and month swapped",
        "Similar name" if straight else "First and last names swapped",
    ]
    if a.postcode and a.postcode == b.postcode:
        reasons.append("Same postcode")
    elif a.postcode and b.postcode and a.postcode.split()[0] == b.postcode.split()[0]:
        reasons.append("Same postcode district")
    return tuple(reasons)


FILLABLE = (
    "nhs_number",
    "address",
    "postcode",
    "phone",
    "email",
    "gender_identity",
    "accessibility_needs",
)


@write_guard.service
@transaction.atomic
def merge(*, keep: Person, duplicate: Person, by) -> Person:
    """Move everything recorded against `duplicate` to `keep`; fill gaps in `keep` from it."""
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    duplicate = Person.objects.select_for_update().get(pk=duplicate.pk)
    if keep.pk == duplicate.pk or keep.organisation_id != duplicate.organisation_id:
        raise MergeError("Only two different records in the same PCN can be merged.")
    if duplicate.merged_into_id or keep.merged_into_id:
        raise MergeError("One of these records has already been merged.")
    if keep.nhs_number and duplicate.nhs_number and keep.nhs_number != duplicate.nhs_number:
        raise MergeError("These records have different NHS numbers: they are different people.")
    moved = {}
    # Every reference to the duplicate, in any app, moves: a merge that left one behind
    # would lose it. Django's relation metadata lists them all, including apps added later.
    for relation in Person._meta.related_objects:
        if relation.related_model is Person:
            continue
        field = relation.field.name
        count = relation.related_model._default_manager.filter(**{field: duplicate}).update(
            **{field: keep}
        )
        if count:
            moved[relation.related_model._meta.label_lower] = count
    gaps = {
        f: getattr(duplicate, f) for f in FILLABLE if not getattr(keep, f) and getattr(duplicate, f)
    }
    Person.objects.filter(pk=duplicate.pk).update(
        merged_into=keep, nhs_number="", referred_nhs_number=""
    )
    if gaps:
        Person.objects.filter(pk=keep.pk).update(**gaps)
    if keep.referred_nhs_number and keep.referred_nhs_number == duplicate.nhs_number:
        # Merging settles a possible mismatch between the two: they are one person.
        Person.objects.filter(pk=keep.pk).update(referred_nhs_number="")
    audit.record(
        user=by,
        action=AuditAction.UPDATE,
        obj=keep,
        person_id=keep.pk,
        event="merged",
        merged_person_id=duplicate.pk,
        moved=moved,
        filled=sorted(gaps),
    )
    audit.record(
        user=by,
        action=AuditAction.UPDATE,
        obj=duplicate,
        person_id=duplicate.pk,
        event="merged into",
        kept_person_id=keep.pk,
    )
    return Person.objects.get(pk=keep.pk)
