"""The write guard (linkwell/write_guard.py): the core records change only inside services."""

import pytest
from django.apps import apps

from linkwell import write_guard
from linkwell.cases import services
from linkwell.connections import services as connection_services
from linkwell.standards.services import send_message_back
from linkwell.write_guard import UnguardedWrite
from tests.connections.factories import connect, provider_service
from tests.standards.helpers import recorded_case

pytestmark = pytest.mark.django_db

# Written out by hand: removing the guard from one of these must fail a test.
GUARDED = [
    "people.Person",
    "cases.Referral",
    "cases.Case",
    "connections.Connection",
    "standards.MessageBack",
]


@pytest.mark.parametrize("label", GUARDED)
def test_each_core_model_and_its_querysets_are_guarded(label):
    model = apps.get_model(label)
    assert issubclass(model, write_guard.GuardedModel)
    assert issubclass(type(model.objects.all()), write_guard.GuardedQuerySet)
    assert issubclass(type(model._default_manager.all()), write_guard.GuardedQuerySet)


@pytest.fixture
def records(practice):
    """One of each core record, made through the services."""
    case, worker = recorded_case(practice, discharge=True)
    message = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    return {
        "people.Person": case.person,
        "cases.Referral": case.referral,
        "cases.Case": case,
        "connections.Connection": case.connections.get(),
        "standards.MessageBack": message,
    }


@pytest.mark.parametrize("label", GUARDED)
def test_a_plain_write_outside_a_service_raises_and_changes_nothing(records, label):
    record = records[label]
    model = type(record)
    rows = model.objects.filter(pk=record.pk)
    # A sent message back refuses any change at all (PermissionError) before the guard looks.
    refused = (
        (UnguardedWrite, PermissionError) if label == "standards.MessageBack" else UnguardedWrite
    )
    with pytest.raises(UnguardedWrite, match=label):
        model().save()
    with pytest.raises(UnguardedWrite):
        model.objects.bulk_create([model()])
    with pytest.raises(refused):
        record.save()
    with pytest.raises(refused):
        record.delete()
    with pytest.raises(refused):
        rows.update(pk=record.pk)
    with pytest.raises(refused):
        rows.delete()
    assert rows.exists()


def test_an_explicit_allowance_lets_a_write_through_and_closes_after(records):
    case = records["cases.Case"]
    with write_guard.allowed("test: the allowance itself"):
        case.discharge_reason = "Moved away"
        case.save(update_fields=["discharge_reason"])
    case.refresh_from_db()
    assert case.discharge_reason == "Moved away"
    assert not write_guard.is_open()
    with pytest.raises(UnguardedWrite):
        case.save()
    with pytest.raises(ValueError, match="Say why"), write_guard.allowed(" "):
        pass


def test_a_service_opens_the_guard_only_while_it_runs_even_when_it_fails(case, worker):
    services.assign(case=case, link_worker=worker, by=worker)
    assert not write_guard.is_open()
    with pytest.raises(services.CaseError):
        services.transition(case=case, to="no-such-status", by=worker)
    assert not write_guard.is_open()
    case.refresh_from_db()
    assert case.link_worker == worker


def test_services_of_other_apps_write_through_their_own_doors(case, worker):
    """Referring onwards and moving the connection on both save a Connection."""
    connection = connect(case, provider_service(), worker)
    moved = connection_services.update_status(
        connection=connection, to="accepted", by=worker, via="test"
    )
    assert moved.status == "accepted" and not write_guard.is_open()
