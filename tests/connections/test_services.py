"""The connection lifecycle and referring, through the public service functions."""

import pytest
from django.core import mail

from linkwell.accounts.models import AuditEntry
from linkwell.connections import lifecycle, services
from linkwell.connections.lifecycle import Status
from linkwell.connections.models import Connection, ConnectionEvent
from linkwell.people.models import Consent, ConsentScope
from tests.connections.factories import connect, provider_service, provider_with_user

pytestmark = pytest.mark.django_db


# The onward referral lifecycle, written out by hand rather than read from
# linkwell.connections.lifecycle: adding or removing a move there must fail here.
EXPECTED_MOVES = {
    "sent": {"accepted", "declined", "withdrawn"},
    "accepted": {"attended", "did_not_attend", "withdrawn"},
    "attended": {"completed", "withdrawn"},
    "did_not_attend": {"attended", "withdrawn"},  # a missed first session is not the end
    "declined": set(),
    "completed": set(),
    "withdrawn": set(),
}
EXPECTED_PROVIDER_STEPS = {"accepted", "declined", "attended", "did_not_attend", "completed"}
EXPECTED_NEEDS_REASON = {"declined", "withdrawn"}


def test_the_table_allows_exactly_the_agreed_moves():
    assert set(Status.values) == set(EXPECTED_MOVES)
    for frm in Status.values:
        assert {to for to in Status.values if lifecycle.allowed(frm, to)} == EXPECTED_MOVES[frm]
    assert set(lifecycle.OPEN) == {s for s, onward in EXPECTED_MOVES.items() if onward}
    assert set(lifecycle.PROVIDER_STEPS) == EXPECTED_PROVIDER_STEPS
    assert set(lifecycle.NEEDS_REASON) == EXPECTED_NEEDS_REASON


def _path_to(status: str) -> list[str]:
    paths, queue = {"sent": []}, ["sent"]
    while queue:
        here = queue.pop(0)
        for there in sorted(EXPECTED_MOVES[here]):
            if there not in paths:
                paths[there] = [*paths[here], there]
                queue.append(there)
    return paths[status]


@pytest.mark.parametrize("frm", sorted(EXPECTED_MOVES))
def test_the_service_makes_exactly_the_agreed_moves(case, worker, frm):
    """Every status × target pair through services.update_status, for the link worker and
    for the provider (who may not withdraw)."""
    for to in Status.values:
        for provider in (False, True):
            connection = connect(case, provider_service(), worker)
            for step in _path_to(frm):
                services.update_status(
                    connection=connection, to=step, by=worker, via="test", reason="why"
                )
            ok = to in EXPECTED_MOVES[frm] and (not provider or to in EXPECTED_PROVIDER_STEPS)
            move = dict(connection=connection, to=to, by=worker, via="test", provider=provider)
            if ok and to in EXPECTED_NEEDS_REASON:
                with pytest.raises(services.ConnectionRuleError, match="Say why"):
                    services.update_status(**move)
            if ok:
                assert services.update_status(**move, reason="why").status == to
            else:
                with pytest.raises(services.ConnectionRuleError):
                    services.update_status(**move, reason="why")
                assert Connection.objects.get(pk=connection.pk).status == frm


def test_refer_records_consent_event_audit_and_tells_the_provider(case, worker):
    service, volunteer = provider_with_user()
    connection = connect(case, service, worker, shared=("name", "phone", "reasons"))
    assert connection.status == Status.SENT
    assert [e.to_status for e in connection.events.all()] == [Status.SENT]
    consent = Consent.objects.get(person=case.person, scope=ConsentScope.SHARE_WITH_PROVIDERS)
    assert consent.given and service.name in consent.method
    assert AuditEntry.objects.filter(
        action="create", object_type="connections.connection", object_id=str(connection.pk)
    ).exists()
    (message,) = mail.outbox
    assert message.to == [volunteer.email] and "/provider/" in message.body
    # No health detail and no name in the message.
    assert case.person.family_name not in message.body and "lonel" not in message.body.lower()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"consent_given": False}, "consent_given"),
        ({"shared_details": []}, "shared_details"),
        ({"shared_details": ["name", "blood_group"]}, "shared_details"),
        ({"note": "x" * 6000}, "note"),
    ],
)
def test_refer_refuses_bad_input_and_saves_nothing(case, worker, change, field):
    service = provider_service(email="hello@example.org")
    values = dict(shared_details=["name"], consent_given=True, note="")
    values.update(change)
    with pytest.raises(services.ConnectionRuleError) as error:
        services.refer(case=case, service=service, by=worker, **values)
    assert field in error.value.message_dict
    assert not Connection.objects.exists() and not mail.outbox
    assert not Consent.objects.filter(scope=ConsentScope.SHARE_WITH_PROVIDERS).exists()


def test_one_open_referral_per_service_and_none_from_a_closed_case(case, worker):
    service = provider_service()
    connect(case, service, worker)
    with pytest.raises(services.ConnectionRuleError, match="already has an open referral"):
        services.refer(
            case=case, service=service, shared_details=["name"], consent_given=True, by=worker
        )
    other = provider_service()
    from linkwell.cases.services import transition

    transition(case=case, to="declined", by=worker)
    case.refresh_from_db()
    with pytest.raises(services.ConnectionRuleError, match="closed"):
        services.refer(
            case=case, service=other, shared_details=["name"], consent_given=True, by=worker
        )


def test_the_whole_path_writes_an_event_each_step(case, worker):
    service, volunteer = provider_with_user()
    connection = connect(case, service, worker)
    for to in (Status.ACCEPTED, Status.DID_NOT_ATTEND, Status.ATTENDED, Status.COMPLETED):
        connection = services.update_status(
            connection=connection, to=to, by=volunteer, via="provider portal", provider=True
        )
    events = list(connection.events.values_list("from_status", "to_status", "by"))
    assert events == [
        ("", "sent", worker.pk),
        ("sent", "accepted", volunteer.pk),
        ("accepted", "did_not_attend", volunteer.pk),
        ("did_not_attend", "attended", volunteer.pk),
        ("attended", "completed", volunteer.pk),
    ]
    assert not connection.is_open


def test_a_forbidden_jump_changes_nothing_and_is_audited(case, worker):
    service, volunteer = provider_with_user()
    connection = connect(case, service, worker)
    with pytest.raises(services.ConnectionRuleError, match="cannot become completed"):
        services.update_status(
            connection=connection, to="completed", by=volunteer, via="provider portal"
        )
    connection.refresh_from_db()
    assert connection.status == Status.SENT and connection.events.count() == 1
    denied = AuditEntry.objects.get(action="denied", object_id=str(connection.pk))
    assert "cannot become completed" in denied.detail["refused"]


def test_declining_needs_a_reason_and_providers_cannot_withdraw(case, worker):
    service, volunteer = provider_with_user()
    connection = connect(case, service, worker)
    with pytest.raises(services.ConnectionRuleError) as error:
        services.update_status(
            connection=connection, to="declined", by=volunteer, via="portal", provider=True
        )
    assert "reason" in error.value.message_dict
    with pytest.raises(services.ConnectionRuleError, match="Only the link worker"):
        services.update_status(
            connection=connection, to="withdrawn", by=volunteer, via="portal", provider=True
        )
    services.update_status(
        connection=connection, to="declined", reason="Group is full", by=volunteer, via="portal"
    )
    assert ConnectionEvent.objects.filter(to_status="declined", reason="Group is full").exists()


def test_withdrawn_by_the_link_worker_from_an_open_state(case, worker):
    connection = connect(case, provider_service(), worker)
    services.update_status(
        connection=connection, to="withdrawn", reason="Moved away", by=worker, via="case page"
    )
    connection.refresh_from_db()
    assert connection.status == Status.WITHDRAWN
