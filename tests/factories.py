"""Model factories for tests: organisations, users with roles, people, referrals and cases."""

import functools
from datetime import date

import factory
from django.contrib.auth.hashers import make_password

from linkwell import write_guard
from linkwell.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from linkwell.cases import services
from linkwell.people.services import PersonDetails

PASSWORD = "correct-horse-battery"


class ICBFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"ICB {n}")
    kind = OrganisationKind.ICB


class PCNFactory(ICBFactory):
    name = factory.Sequence(lambda n: f"PCN {n}")
    kind = OrganisationKind.PCN
    ods_code = factory.Sequence(lambda n: f"U{n:05d}")
    parent = factory.SubFactory(ICBFactory)


class PracticeFactory(ICBFactory):
    name = factory.Sequence(lambda n: f"Practice {n}")
    kind = OrganisationKind.PRACTICE
    ods_code = factory.Sequence(lambda n: f"B{n:05d}")
    parent = factory.SubFactory(PCNFactory)


@functools.cache
def password_hash() -> str:
    # Argon2 is slow by design: hash the shared test password once, not once per user.
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.LazyFunction(password_hash)


def user_with_role(role: Role, organisation: Organisation, **kwargs) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def valid_nhs_number(seq: int) -> str:
    """The seq-th valid test NHS number in the never-issued 999 range."""
    from linkwell.cases.demo import test_nhs_numbers

    numbers = test_nhs_numbers(__import__("random").Random(seq))
    return next(numbers)


def person_details(**overrides) -> PersonDetails:
    values = dict(
        given_name="Jo",
        family_name="Bloggs",
        date_of_birth=date(1950, 5, 17),
        postcode="LS1 4AP",
        phone="07700 900123",
    )
    values.update(overrides)
    return PersonDetails(**values)


def make_case(*, pcn=None, referrer=None, by=None, practice=None, **person):
    """A referral from a practice and its case, made through the one door as a real one is:
    by `referrer` or `by` (a link worker records the practice it came from), or else by a
    new referrer at the practice."""
    if practice is None:
        practice = PracticeFactory(parent=pcn) if pcn is not None else PracticeFactory()
    referral, _ = services.make_referral(
        pcn_code=practice.parent.ods_code,
        origin_code=practice.ods_code,
        person=person_details(**person),
        source="gp_practice",
        reasons=["loneliness"],
        consent_given=True,
        by=referrer or by or user_with_role(Role.REFERRER, practice),
    )
    return referral.case


def arrange(record, **fields):
    """Put a core record into a state no service makes (back-dated, or a detail with no
    service to change it yet), opening the write guard for this save alone."""
    for name, value in fields.items():
        setattr(record, name, value)
    with write_guard.allowed("test arrangement"):
        record.save(update_fields=list(fields))
    return record
