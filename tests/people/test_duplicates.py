from datetime import date

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from linkwell.accounts.models import AuditEntry
from linkwell.cases import services
from linkwell.cases.models import Case, CaseEvent, Contact, Referral
from linkwell.people.duplicates import MergeError, edit_distance, likely_duplicates, merge
from linkwell.people.models import Consent, Person
from tests.factories import make_case, valid_nhs_number


def test_edit_distance_counts_one_slip_of_each_kind():
    assert edit_distance("jonathan", "jonathon") == 1  # substitution
    assert edit_distance("jon", "john") == 1  # insertion
    assert edit_distance("siobhan", "siobahn") == 1  # adjacent swap
    assert edit_distance("smith", "jones") > 1


@given(st.text(max_size=8), st.text(max_size=8))
def test_edit_distance_is_symmetric_and_zero_only_for_equal(a, b):
    assert edit_distance(a, b) == edit_distance(b, a)
    assert (edit_distance(a, b) == 0) == (a == b)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "other,expected",
    [
        ({"given_name": "Jonathon", "family_name": "Smyth"}, "Similar name"),
        ({"given_name": "Smith", "family_name": "Jonathan"}, "First and last names swapped"),
        (
            {"given_name": "JONATHAN", "family_name": "Smith", "date_of_birth": date(1970, 4, 3)},
            "Date of birth with day and month swapped",
        ),
        (
            {"given_name": "Jonathan", "family_name": "Smith", "postcode": "LS1 9ZZ"},
            "Same postcode district",
        ),
    ],
)
def test_near_duplicates_are_found(pcn, link_worker, other, expected):
    first = make_case(
        pcn=pcn,
        by=link_worker,
        given_name="Jonathan",
        family_name="Smith",
        date_of_birth=date(1970, 3, 4),
    )
    values = {"date_of_birth": date(1970, 3, 4), **other}
    second = make_case(pcn=pcn, by=link_worker, **values)
    matches = likely_duplicates(second.person)
    assert [m.person.pk for m in matches] == [first.person_id]
    assert expected in matches[0].reasons


@pytest.mark.django_db
@pytest.mark.parametrize(
    "other",
    [
        {"given_name": "Jonathan", "family_name": "Smith", "date_of_birth": date(1971, 3, 4)},
        {"given_name": "Joanna", "family_name": "Smith", "date_of_birth": date(1970, 3, 4)},
        {"given_name": "Jon", "family_name": "Smith", "date_of_birth": date(1970, 3, 4)},
    ],
)
def test_different_people_are_not_flagged(pcn, link_worker, other):
    make_case(
        pcn=pcn,
        by=link_worker,
        given_name="Jonathan",
        family_name="Smith",
        date_of_birth=date(1970, 3, 4),
    )
    second = make_case(pcn=pcn, by=link_worker, **other)
    assert likely_duplicates(second.person) == []


@pytest.mark.django_db
def test_other_pcns_and_different_nhs_numbers_are_not_duplicates(pcn, link_worker, other_practice):
    make_case(pcn=pcn, by=link_worker, nhs_number=valid_nhs_number(31))
    elsewhere = make_case(practice=other_practice, by=None)
    different = make_case(pcn=pcn, by=link_worker, nhs_number=valid_nhs_number(32))
    assert likely_duplicates(elsewhere.person) == []
    assert likely_duplicates(different.person) == []


@pytest.mark.django_db
def test_a_merge_keeps_every_record_and_event(pcn, link_worker):
    keep = make_case(pcn=pcn, by=link_worker, given_name="Mary", family_name="Jones")
    dup = make_case(
        pcn=pcn,
        by=link_worker,
        given_name="Mary",
        family_name="Jones",
        nhs_number=valid_nhs_number(33),
        phone="07700 900999",
    )
    services.record_contact(
        case=dup, at=timezone.now(), mode="phone", minutes=5, notes="n", by=link_worker
    )
    before = {
        "referrals": Referral.objects.count(),
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "contacts": Contact.objects.count(),
        "consents": Consent.objects.count(),
    }
    kept = merge(keep=keep.person, duplicate=dup.person, by=link_worker)
    assert Referral.objects.filter(person=kept).count() == 2
    assert Case.objects.filter(person=kept).count() == 2
    assert Consent.objects.filter(person=kept).count() == 2
    after = {
        "referrals": Referral.objects.count(),
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "contacts": Contact.objects.count(),
        "consents": Consent.objects.count(),
    }
    assert after == before  # nothing lost, nothing made
    assert kept.nhs_number == valid_nhs_number(33)  # gaps filled from the duplicate
    gone = Person.objects.get(pk=dup.person_id)
    assert gone.merged_into_id == kept.pk
    assert AuditEntry.objects.filter(person_id=kept.pk, detail__event="merged").exists()
    with pytest.raises(MergeError):
        merge(keep=kept, duplicate=gone, by=link_worker)


@pytest.mark.django_db
def test_the_link_worker_merges_from_the_case_page(client, pcn, link_worker):
    first = make_case(pcn=pcn, by=link_worker, given_name="Ann", family_name="Lee")
    second = make_case(pcn=pcn, by=link_worker, given_name="Lee", family_name="Ann")
    client.force_login(link_worker)
    page = client.get(f"/cases/{second.pk}/").content.decode()
    assert "Possibly the same person" in page and "First and last names swapped" in page
    response = client.post(
        f"/people/{second.person_id}/merge/{first.person_id}/", {"next": "https://evil.example/"}
    )
    assert response.url == "/"  # no redirect off the site
    assert Case.objects.filter(person_id=second.person_id).count() == 2


@pytest.mark.django_db
def test_a_possible_mismatch_is_warned_both_ways_and_merging_settles_it(pcn):
    number = valid_nhs_number(31)
    held = make_case(pcn=pcn, nhs_number=number, given_name="Mary", family_name="Shelley")
    sent = make_case(pcn=pcn, nhs_number=number, given_name="Percy", date_of_birth=date(1992, 8, 4))
    held_person, sent_person = held.person, sent.person
    assert sent_person.pk != held_person.pk and sent_person.nhs_number == ""
    assert sent_person.referred_nhs_number == number
    (warning,) = likely_duplicates(sent_person)
    assert warning.person == held_person and "Possible mismatch" in warning.reasons[0]
    (warning,) = likely_duplicates(held_person)
    assert warning.person == sent_person and "Possible mismatch" in warning.reasons[0]
    # The same NHS number, date of birth and a name with a typo is the same person.
    again = make_case(pcn=pcn, nhs_number=number, given_name="Marry", family_name="Shelley")
    assert again.person_id == held_person.pk
    merge(keep=sent_person, duplicate=held_person, by=None)
    kept = Person.objects.get(pk=sent_person.pk)
    assert (kept.nhs_number, kept.referred_nhs_number) == (number, "")
    assert likely_duplicates(kept) == []
