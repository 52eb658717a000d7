"""Task search: every declared parameter filters, pages have links and a true total, unknown
parameters are refused under strict handling, and POST _search works."""

from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from linkwell.accounts.models import Role
from linkwell.accounts.services import create_token
from linkwell.cases import services as cases
from linkwell.connections import services as connections
from linkwell.interop.task_search import PARAMS
from tests.connections.factories import connect, provider_service
from tests.factories import make_case, user_with_role

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}


@pytest.fixture
def worker(pcn):
    return user_with_role(Role.LINK_WORKER, pcn)


def search(client, user, query="", **headers) -> Bundle:
    response = client.get(f"/fhir/Task?{query}", **bearer(user), **headers)
    assert response.status_code == 200, response.content
    return Bundle.model_validate_json(response.content)


def ids(bundle) -> list[str]:
    return [e.resource.id for e in bundle.entry or []]


@pytest.fixture
def three(pcn, worker):
    """Three referrals, newest last; the second has an onward referral."""
    made = [make_case(pcn=pcn, by=worker, family_name=f"Person{i}") for i in range(3)]
    connection = connect(made[1], provider_service(), worker)
    return made, connection


def test_everything_newest_first_each_subtask_after_its_task(client, worker, three):
    made, connection = three
    found = search(client, worker)
    assert ids(found) == [
        str(made[2].referral.pk),
        str(made[1].referral.pk),
        f"connection-{connection.pk}",
        str(made[0].referral.pk),
    ]
    assert found.total == 4


def test_pages_with_links_and_a_true_total(client, worker, three):
    seen, url, pages = [], "/fhir/Task?_count=1", 0
    while url:
        response = client.get(url, **bearer(worker))
        page = Bundle.model_validate_json(response.content)
        assert page.total == 4 and len(page.entry) == 1
        links = {link.relation: link.url for link in page.link}
        assert urlsplit(links["self"]).query.startswith("_count=1")
        seen += ids(page)
        nxt = links.get("next")
        url = f"{urlsplit(nxt).path}?{urlsplit(nxt).query}" if nxt else ""
        pages += 1
    assert pages == 4 and len(set(seen)) == 4


def test_id_status_patient_subject_and_based_on(client, worker, three):
    made, connection = three
    first, second = made[0].referral, made[1].referral
    assert ids(search(client, worker, f"_id={first.pk}")) == [str(first.pk)]
    both = search(client, worker, f"_id={first.pk},connection-{connection.pk}")
    assert ids(both) == [f"connection-{connection.pk}", str(first.pk)]
    requested = search(client, worker, "status=requested")
    assert len(requested.entry) == 4  # three new referrals, one onward referral just sent
    cases.transition(case=made[0], to="declined", by=worker, note="Moved away")
    cancelled = search(client, worker, "status=cancelled")
    assert ids(cancelled) == [str(first.pk)]
    assert cancelled.entry[0].resource.statusReason.text == "Moved away"
    for name in ("patient", "subject"):
        for value in (f"Patient/{second.person_id}", str(second.person_id)):
            found = ids(search(client, worker, f"{name}={value}"))
            assert found == [str(second.pk), f"connection-{connection.pk}"]
    for value in (f"ServiceRequest/{second.pk}", str(second.pk)):  # a bare id too
        assert ids(search(client, worker, f"based-on={value}")) == [
            str(second.pk),
            f"connection-{connection.pk}",
        ]
    assert ids(search(client, worker, "based-on=Patient/1")) == []


def test_in_progress_once_a_service_is_taken_up(client, worker, three):
    made, connection = three
    cases.record_contact(
        case=made[1], at=timezone.now(), mode="phone", minutes=5, notes="", by=worker
    )
    assert str(made[1].referral.pk) in ids(search(client, worker, "status=accepted"))
    connections.update_status(connection=connection, to="accepted", by=worker, via="test")
    in_progress = ids(search(client, worker, "status=in-progress"))
    assert str(made[1].referral.pk) in in_progress
    assert str(made[1].referral.pk) not in ids(search(client, worker, "status=accepted"))


def test_owner(client, worker, three, pcn):
    made, connection = three
    by_service = search(client, worker, f"owner=HealthcareService/{connection.service_id}")
    assert ids(by_service) == [f"connection-{connection.pk}"]
    pcn.ods_code = "U12345"
    pcn.save()
    by_pcn = search(
        client, worker, "owner:identifier=https://fhir.nhs.uk/Id/ods-organization-code|U12345"
    )
    assert sorted(ids(by_pcn)) == sorted(str(c.referral.pk) for c in made)
    assert by_pcn.entry[0].resource.owner.identifier.value == "U12345"


def test_last_updated(client, worker, three):
    made, connection = three
    task = search(client, worker, f"_id={made[0].referral.pk}").entry[0].resource
    when = task.meta.lastUpdated
    exactly = urlencode({"_id": task.id, "_lastUpdated": f"eq{when.isoformat()}"})
    assert ids(search(client, worker, exactly)) == [task.id]
    later = (when + timedelta(seconds=1)).isoformat()
    assert search(client, worker, urlencode({"_lastUpdated": f"gt{later}"})).total == 0
    assert search(client, worker, urlencode({"_lastUpdated": f"le{later}"})).total == 4
    bad = client.get("/fhir/Task?_lastUpdated=yesterday", **bearer(worker))
    assert bad.status_code == 400
    assert OperationOutcome.model_validate_json(bad.content).issue[0].expression == ["_lastUpdated"]


def test_unknown_parameters_are_left_out_or_refused_under_strict_handling(client, worker, three):
    lenient = search(client, worker, "colour=blue&_count=2&_sort=status")
    assert lenient.total == 4 and "colour" not in lenient.link[0].url
    # …and named in an OperationOutcome entry (search mode "outcome"), after the matches
    *matches, outcome = lenient.entry
    assert [e.search.mode for e in matches] == ["match", "match"]
    assert outcome.search.mode == "outcome" and outcome.resource.issue[0].severity == "warning"
    assert "colour, _sort" in outcome.resource.issue[0].diagnostics
    documents = client.get("/fhir/DocumentReference?colour=blue", **bearer(worker))
    (warning,) = Bundle.model_validate_json(documents.content).entry
    assert "colour" in warning.resource.issue[0].diagnostics
    strict = client.get("/fhir/Task?colour=blue", HTTP_PREFER="handling=strict", **bearer(worker))
    assert strict.status_code == 400
    assert OperationOutcome.model_validate_json(strict.content).issue[0].expression == ["colour"]
    for name in PARAMS:  # every declared parameter is understood under strict handling
        value = {"_count": "5", "_lastUpdated": "ge2020-01-01", "status": "requested"}.get(
            name, "1"
        )
        response = client.get(
            f"/fhir/Task?{name}={value}", HTTP_PREFER="handling=strict", **bearer(worker)
        )
        assert response.status_code == 200, (name, response.content)
    assert client.get("/fhir/Task?_count=0", **bearer(worker)).status_code == 400


def test_post_search(client, worker, three):
    made, _ = three
    response = client.post(
        "/fhir/Task/_search",
        {"_id": str(made[0].referral.pk)},
        **bearer(worker),
    )
    assert response.status_code == 200
    assert ids(Bundle.model_validate_json(response.content)) == [str(made[0].referral.pk)]


def test_nobody_elses_tasks(client, worker, three, other_practice):
    stranger = user_with_role(Role.LINK_WORKER, other_practice.parent)
    assert search(client, stranger).total == 0


@pytest.mark.parametrize(
    "value", ["gt2026-02-30", "2026-13-01", "ge2026-01-01T25:00:00", "le2026-01-01T10:00:00+99:00"]
)
def test_an_impossible_date_is_400_not_500(client, worker, value):
    response = client.get(f"/fhir/Task?{urlencode({'_lastUpdated': value})}", **bearer(worker))
    assert response.status_code == 400
    issue = OperationOutcome.model_validate_json(response.content).issue[0]
    assert issue.expression == ["_lastUpdated"]


@pytest.mark.parametrize(
    "path, name",
    [
        ("Task", "status:not"),  # ignored, it would answer the opposite question
        ("Task", "_id:exact"),
        ("Task", "patient:Patient"),
        ("DocumentReference", "patient:missing"),
    ],
)
def test_an_unsupported_modifier_is_refused_even_leniently(client, worker, three, path, name):
    response = client.get(f"/fhir/{path}?{urlencode({name: 'requested'})}", **bearer(worker))
    assert response.status_code == 400, response.content
    issue = OperationOutcome.model_validate_json(response.content).issue[0]
    assert issue.code == "not-supported" and issue.expression == [name]


def test_summary_count_answers_the_total_alone(client, worker, three):
    found = search(client, worker, "_summary=count&status=requested")
    assert found.entry is None
    assert found.total == search(client, worker, "status=requested").total == 4  # and a subtask
    assert urlsplit(found.link[0].url).query == "status=requested&_summary=count"
    documents = client.get("/fhir/DocumentReference?_summary=count", **bearer(worker))
    assert Bundle.model_validate_json(documents.content).total == 0


@pytest.mark.parametrize("path", ["Task", "DocumentReference"])
def test_every_searchable_type_is_searched_by_post(client, worker, three, path):
    response = client.post(
        f"/fhir/{path}/_search",
        "_count=1",
        content_type="application/x-www-form-urlencoded",
        **bearer(worker),
    )
    assert response.status_code == 200, response.content
    assert Bundle.model_validate_json(response.content).type == "searchset"
    wrong = client.delete(f"/fhir/{path}/_search", **bearer(worker))
    assert wrong.status_code == 405 and wrong["Allow"] == "GET, POST"


def test_a_date_searches_the_period_it_names(client, worker, three):
    """search.html#date: eq2026-03-01 is that whole day, 2026-03 the month, 2026 the year."""
    made, _ = three
    task = search(client, worker, f"_id={made[0].referral.pk}").entry[0].resource
    day = timezone.localtime(task.meta.lastUpdated).date()
    for value in (f"eq{day}", str(day), day.isoformat()[:7], str(day.year), f"le{day}"):
        assert search(client, worker, urlencode({"_lastUpdated": value})).total == 4, value
    for value in (f"ne{day}", f"gt{day}", f"lt{day}", f"lt{day.year}", f"gt{day.year}"):
        assert search(client, worker, urlencode({"_lastUpdated": value})).total == 0, value
    minute = timezone.localtime(task.meta.lastUpdated).strftime("%Y-%m-%dT%H:%M")
    assert search(client, worker, urlencode({"_id": task.id, "_lastUpdated": minute})).total == 1
    for value in ("2026-13", "sa2026-01-01", "ge2026-1-1"):
        bad = client.get(f"/fhir/Task?{urlencode({'_lastUpdated': value})}", **bearer(worker))
        assert bad.status_code == 400, value


@pytest.mark.parametrize("empty", ["status=", "_lastUpdated=", "status=,", "_count=", "patient="])
def test_a_parameter_without_a_value_is_ignored(client, worker, three, empty):
    found = search(client, worker, empty)
    kept = parse_qsl(urlsplit(found.link[0].url).query, keep_blank_values=True)
    assert found.total == 4 and all(value.strip(",") for _, value in kept)


# "²" is a digit to str.isdigit() but not to int(); a number past bigint overflowed the
# database; 5000 digits is past int()'s limit. Each was a 500.
NOT_RECORD_NUMBERS = [
    "²",
    "9" * 25,
    "Patient/" + "9" * 25,
    "connection-²",
    "connection-" + "9" * 25,
]


@pytest.mark.parametrize("name", ["_id", "patient", "subject", "based-on"])
@pytest.mark.parametrize("value", NOT_RECORD_NUMBERS)
def test_ids_that_name_no_record_find_nothing(client, worker, three, name, value):
    assert search(client, worker, urlencode({name: value})).total == 0


@pytest.mark.parametrize("value", ["²", "9" * 5000])
@pytest.mark.parametrize("name", ["_count", "_offset"])
@pytest.mark.parametrize("kind", ["Task", "DocumentReference"])
def test_page_numbers_that_are_no_number_are_400(client, worker, kind, name, value):
    response = client.get(f"/fhir/{kind}?{urlencode({name: value})}", **bearer(worker))
    assert response.status_code == 400
    assert OperationOutcome.model_validate_json(response.content).issue[0].expression == [name]


@pytest.mark.parametrize("value", ["²", "9" * 25, "Patient/²"])
def test_document_references_of_an_id_that_names_no_record_are_none(client, worker, value):
    response = client.get(
        f"/fhir/DocumentReference?{urlencode({'patient': value})}", **bearer(worker)
    )
    assert response.status_code == 200
    assert Bundle.model_validate_json(response.content).total == 0
