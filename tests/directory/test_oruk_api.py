"""The ORUK read API: every /services parameter works or is refused, incremental reads with
modified_after, every list and record path, and answers valid against the ORUK profile."""

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import jsonschema
import pytest
from django.utils.dateparse import parse_datetime

from linkwell.accounts.models import Organisation, OrganisationKind, Role
from linkwell.directory.models import DirectoryOrganisation, Service, Taxonomy, TaxonomyTerm
from linkwell.directory.services import edit_service
from linkwell.geo.demo import SAMPLE
from linkwell.geo.services import import_onspd
from tests.directory.factories import HOME, load, record
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
REPO_SCHEMA = Path(__file__).resolve().parents[2] / "linkwell" / "directory" / "schema"
COMPILED = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "openreferral-uk-profile"
    / "schema"
    / "compiled"
)


@pytest.fixture
def directory(db):
    import_onspd(path=SAMPLE)
    return load(
        record(name="Lunch club", byday="MO", opens="11:30", closes="13:30", minimum_age=60),
        record(name="Youth club", byday="FR", opens="18:00", closes="20:00", maximum_age=25),
        record(name="Far walk", at=(51.5, -0.1), terms=("walking",)),
    )


def get(client, path, **params):
    response = client.get(f"/oruk/{path}?{urlencode(params)}")
    return response.status_code, response.json()


def names(page) -> list[str]:
    return sorted(item["name"] for item in page["contents"])


def test_each_services_parameter_filters(client, directory):
    assert names(get(client, "services", minimum_age=60)[1]) == ["Lunch club"]
    assert names(get(client, "services", maximum_age=30)[1]) == ["Youth club"]
    assert names(get(client, "services", day="MO")[1]) == ["Lunch club"]
    assert names(get(client, "services", day="friday")[1]) == ["Youth club"]
    assert names(get(client, "services", start_time="17:00")[1]) == ["Youth club"]
    assert names(get(client, "services", end_time="14:00")[1]) == ["Far walk", "Lunch club"]
    # day and times must hold for one opening: Monday evenings has none
    assert names(get(client, "services", day="MO", start_time="17:00")[1]) == []
    walking = directory[2]["attributes"][0]["taxonomy_term"]
    for value in (walking["id"], walking["code"]):
        assert names(get(client, "services", taxonomy_term=value)[1]) == ["Far walk"]
    near = get(client, "services", lat=HOME[0], long=HOME[1], proximity=3000)[1]
    assert names(near) == ["Lunch club", "Youth club"] and near["contents"][0]["distance"] <= 3000


def test_minimal_full_and_size(client, directory):
    status, minimal = get(client, "services", minimal="true")
    assert status == 200
    assert all(set(item) == {"id", "last_modified"} for item in minimal["contents"])
    full = get(client, "services", full="true", search="lunch")[1]["contents"][0]
    assert full["schedules"][0]["byday"] == "MO" and full["service_at_locations"]
    short = get(client, "services", search="lunch")[1]["contents"][0]
    assert "schedules" not in short
    page = get(client, "services", per_page=2, page=2)[1]
    assert page["size"] == 1 and page["total_items"] == 3  # the items on this page


@pytest.mark.parametrize(
    "params",
    [
        {"colour": "blue"},
        {"format": "ndjson"},
        {"modified_after": "last tuesday"},
        {"day": "someday"},
        {"start_time": "noon"},
        {"lat": "53.8"},
        {"lat": "95", "long": "0"},
        {"proximity": "1000"},
        {"postcode": "ZZ99 9ZZ"},
    ],
)
def test_parameters_that_cannot_be_honoured_are_400(client, directory, params):
    status, body = get(client, "services", **params)
    assert status == 400 and body["detail"]


def test_an_aggregator_reads_the_feed_incrementally(client, directory):
    first = get(client, "services", per_page=100)[1]["contents"]
    assert all(item["last_modified"] for item in first)
    since = max(item["last_modified"] for item in first)  # "on or after": all of these
    assert len(get(client, "services", modified_after=since)[1]["contents"]) == 3
    provider = Organisation.objects.create(name="Friends", kind=OrganisationKind.PROVIDER)
    editor = user_with_role(Role.PROVIDER, provider)
    lunch = Service.objects.get(name="Lunch club")
    edit_service(service=lunch, by=editor, description="Now on Mondays and Thursdays.")
    after = (parse_datetime(since) + timedelta(microseconds=1)).isoformat()
    changed = get(client, "services", modified_after=after)[1]["contents"]
    assert [item["name"] for item in changed] == ["Lunch club"]
    assert changed[0]["last_modified"] > since
    later = (Service.objects.get(pk=lunch.pk).last_modified + timedelta(seconds=1)).isoformat()
    assert get(client, "services", modified_after=later)[1]["contents"] == []


def test_records_by_id_and_their_lists(client, directory):
    term = TaxonomyTerm.objects.select_related("taxonomy_detail").first()
    assert get(client, f"taxonomy_terms/{term.pk}")[1]["name"] == term.name
    if term.taxonomy_detail_id:
        taxonomy = Taxonomy.objects.get(pk=term.taxonomy_detail_id)
        assert get(client, f"taxonomies/{taxonomy.pk}")[1]["name"] == taxonomy.name
        in_it = get(client, "taxonomy_terms", taxonomy_id=taxonomy.pk)[1]
        assert in_it["total_items"] == TaxonomyTerm.objects.filter(taxonomy_detail=taxonomy).count()
    assert get(client, "taxonomy_terms", taxonomy_id="no-such-taxonomy")[1]["total_items"] == 0
    assert names(get(client, "taxonomy_terms", search="walking")[1]) == [
        TaxonomyTerm.objects.get(code="walking").name
    ]
    places = get(client, "service_at_locations")[1]
    assert places["total_items"] == 3
    one = places["contents"][0]
    again = get(client, f"service_at_locations/{one['id']}")[1]
    assert again["service"]["id"] == one["service_id"] and again["location"]["id"]
    organisations = get(client, "organizations", search="Organisation")[1]
    assert organisations["total_items"] == DirectoryOrganisation.objects.count()
    lunch = Service.objects.get(name="Lunch club")
    organisation = get(client, f"organizations/{lunch.organisation_id}")[1]
    assert [s["name"] for s in organisation["services"]] == ["Lunch club"]
    for path in ("taxonomies", "taxonomy_terms", "service_at_locations", "organizations"):
        status, body = get(client, f"{path}/nothing-here")
        assert status == 404 and body["detail"]


def _schema(name: str) -> dict:
    path = COMPILED / name
    if not path.exists():
        pytest.skip("../shared/data is not on this machine")
    return json.loads(path.read_text())


def test_answers_are_valid_against_the_oruk_profile(client, directory):
    services = get(client, "services", full="true")[1]["contents"]
    for schema in (json.loads((REPO_SCHEMA / "service.json").read_text()), _schema("service.json")):
        for service in services:
            jsonschema.validate(service, schema)
    for path, name in (
        ("service_at_locations", "service_at_location.json"),
        ("organizations", "organization.json"),
    ):
        schema = _schema(name)
        contents = get(client, path)[1]["contents"]
        assert contents
        for item in contents:
            jsonschema.validate(item, schema)
    lunch = Service.objects.get(name="Lunch club")
    jsonschema.validate(
        get(client, f"organizations/{lunch.organisation_id}")[1], _schema("organization.json")
    )


@pytest.mark.parametrize(
    "params",
    [
        {"modified_after": "2026-02-30T00:00:00"},  # shaped right, no such day: was a 500
        {"modified_after": "2026-13-01"},
        {"modified_after": "2026-01-01T25:00:00Z"},
        {"modified_after": "2026-01-01T10:00:00+99:00"},
        {"minimum_age": "-1"},
        {"maximum_age": "-5"},
        {"minimum_age": "60", "maximum_age": "10"},
        {"minimum_age": "abc"},
        {"lat": "53.8", "long": "-1.5", "proximity": "-5"},
        {"lat": "53.8", "long": "-1.5", "proximity": "0"},
        {"lat": "53.8", "long": "-1.5", "proximity": "inf"},
        {"lat": "nan", "long": "-1.5"},
        {"page": "0"},
        {"per_page": "0"},
        {"per_page": "1000"},
        {"minimal": "perhaps"},
    ],
)
def test_values_that_cannot_be_honoured_are_400(client, directory, params):
    status, body = get(client, "services", **params)
    assert status == 400 and body["detail"]


@pytest.mark.parametrize(
    "path, params",
    [
        ("taxonomies", {"colour": "blue"}),
        ("taxonomy_terms", {"colour": "blue"}),
        ("service_at_locations", {"colour": "blue"}),
        ("service_at_locations", {"postcode": "LS6 1AB"}),  # not served here
        ("organizations", {"organization_id": "org-1"}),  # /organizations has no such filter
        ("services/none", {"full": "true"}),
        ("taxonomies", {"page": "-1"}),
    ],
)
def test_every_path_refuses_what_it_would_ignore(client, directory, path, params):
    status, body = get(client, path, **params)
    assert status == 400 and body["detail"]


def test_services_at_locations_take_the_services_filters(client, directory):
    def services(**params):
        status, page = get(client, "service_at_locations", **params)
        assert status == 200, page
        return sorted(item["service"]["name"] for item in page["contents"])

    assert services(minimum_age=60) == ["Lunch club"]
    assert services(day="FR") == ["Youth club"]
    assert services(search="walk") == ["Far walk"]
    walking = directory[2]["attributes"][0]["taxonomy_term"]
    assert services(taxonomy_term_id=walking["id"]) == ["Far walk"]
    assert get(client, "service_at_locations", start_time="25:00")[0] == 400


def test_an_unknown_path_is_a_json_404(client):
    for path in ("/oruk/nothing", "/oruk/services/", "/oruk/services/x/y"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.json()["detail"]


def test_every_path_answers_head_and_refuses_writes_in_json(client, directory):
    for path in ("/oruk/", "/oruk/services", "/oruk/services/none", "/oruk/taxonomy_terms"):
        head, get_ = client.head(path), client.get(path)
        assert head.status_code == get_.status_code and head.content == b""
        assert head["Content-Type"] == get_["Content-Type"]
        for method in ("post", "put", "patch", "delete", "options"):
            refused = getattr(client, method)(path)
            assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD"
            assert refused["Content-Type"] == "application/json; charset=utf-8"
            assert refused.json()["detail"]


@pytest.mark.parametrize("at_location_id", ["%C2%B2", "9" * 25])
def test_a_service_at_location_id_that_names_no_row_is_404(client, db, at_location_id):
    # "²" passed str.isdigit() and failed int(); a number past bigint overflowed the query.
    response = client.get(f"/oruk/service_at_locations/{at_location_id}")
    assert response.status_code == 404
