"""Import and export: validation, all-or-nothing, upsert, sync, round trips."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from linkwell.directory.exporting import export_services
from linkwell.directory.importing import ImportRefused, import_services
from linkwell.directory.models import Location, Schedule, Service, ServiceAtLocation
from tests.directory.factories import load, record, term

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "directory"


def export() -> list[dict]:
    out = io.StringIO()
    export_services(out)
    return json.loads(out.getvalue())


def write(tmp_path, data, name="services.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def refused(path) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        import_services(source=path)
    return [str(p) for p in caught.value.problems]


def test_the_oruk_services_page_example_round_trips(tmp_path):
    import_services(source=FIXTURES / "oruk_service_list.json")
    first = export()
    original = json.loads((FIXTURES / "oruk_service_list.json").read_text())["contents"][0]
    assert first[0]["name"] == original["name"] and first[0]["organization"]["id"]
    # Every field comes back (timestamps in canonical form), with the organisation's id too.
    assert set(first[0]) == set(original) | {"organization_id"}
    assert first[0]["organization_id"] == original["organization"]["id"]
    again = write(tmp_path, first)
    result = import_services(source=again)
    assert (result.created, result.updated) == (0, 1)
    assert export() == first


def test_the_oruk_full_example_is_refused_for_its_impossible_latitude():
    problems = refused(FIXTURES / "oruk_service_full.json")
    assert problems == [
        "ac148810-d857-441c-9679-408f346de14b: service_at_locations[0].location.latitude: "
        "100 is not a latitude (it must be between -90 and 90)"
    ]
    assert not Service.objects.exists()


def test_one_bad_record_imports_nothing_and_every_problem_is_listed(tmp_path):
    good = record(name="Good")
    bad_time = record(byday="TU", opens="14:00", closes="13:00")
    no_status = record()
    del no_status["status"]
    wrong_type = record(minimum_age="twelve")
    path = write(tmp_path, [good, bad_time, no_status, wrong_type])
    problems = refused(path)
    assert (
        f"{bad_time['id']}: schedules[0].closes_at: closes at 13:00, before it opens at 14:00"
        in problems
    )
    assert f"{no_status['id']}: 'status' is a required property" in problems
    assert any(
        p.startswith(f"{wrong_type['id']}: minimum_age: 'twelve' is not of type") for p in problems
    )
    assert not Service.objects.exists()


def test_an_import_that_fails_leaves_earlier_data_as_it_was(tmp_path):
    load(record(name="Already here"))
    bad = record(name="Changed")
    bad["service_at_locations"][0]["location"]["longitude"] = 181
    problems = refused(write(tmp_path, [record(name="New"), bad]))
    assert problems == [
        f"{bad['id']}: service_at_locations[0].location.longitude: "
        "181 is not a longitude (it must be between -180 and 180)"
    ]
    assert list(Service.objects.values_list("name", flat=True)) == ["Already here"]


def test_an_unknown_taxonomy_term_is_refused(tmp_path):
    data = record()
    data["attributes"] = [{"id": "a1", "taxonomy_term_id": "no-such-term"}]
    assert refused(write(tmp_path, data)) == [
        f"{data['id']}: attributes[0].taxonomy_term_id: unknown taxonomy term 'no-such-term': "
        "include it or import it first"
    ]


def test_a_term_imported_earlier_may_be_referred_to_by_id(tmp_path):
    load(record(terms=("walking",)))
    data = record(terms=())
    data["attributes"] = [{"id": "a1", "taxonomy_term_id": term("walking")["id"]}]
    import_services(source=write(tmp_path, data))
    assert Service.objects.get(pk=data["id"]).need_mask


def test_a_service_twice_in_one_source_is_refused(tmp_path):
    data = record()
    assert refused(write(tmp_path, [data, data])) == [
        f"{data['id']}: id: this service appears more than once in the source"
    ]


def test_malformed_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"id": "x", "name": "A", "status": "active"},')
    assert "malformed JSON" in refused(path)[0]


def test_reimporting_upserts_by_id_and_replaces_children(tmp_path):
    data = record(name="Walk")
    load(data)
    data["name"] = "Walk and talk"
    data["schedules"].append(
        {"id": "extra", "byday": "FR", "opens_at": "09:00", "closes_at": "10:00"}
    )
    result = import_services(source=write(tmp_path, data))
    assert (result.created, result.updated) == (0, 1)
    service = Service.objects.get(pk=data["id"])
    assert service.name == "Walk and talk"
    assert Schedule.objects.filter(service=service).count() == 2
    assert ServiceAtLocation.objects.filter(service=service).count() == 1


def test_sync_retires_services_missing_from_the_source(tmp_path):
    kept, dropped = record(), record()
    load(kept, dropped)
    result = import_services(source=write(tmp_path, [kept]), sync=True)
    assert result.retired == 1
    assert Service.objects.live().get().pk == kept["id"]
    assert [s["id"] for s in export()] == [kept["id"]]


def test_an_organisation_with_its_services_imports(tmp_path):
    service = record()
    organisation = service.pop("organization")
    organisation["services"] = [service]
    import_services(source=write(tmp_path, organisation))
    assert Service.objects.get().organisation.name == organisation["name"]


def test_an_hsds_csv_package_imports(tmp_path):
    package = tmp_path / "package"
    package.mkdir()
    (package / "services.csv").write_text(
        "id,organization_id,name,status,minimum_age\ns1,o1,Lunch club,active,60\n"
    )
    (package / "organizations.csv").write_text("id,name,description\no1,Age Concern,Charity\n")
    (package / "locations.csv").write_text(
        "id,location_type,name,latitude,longitude\nl1,physical,Hall,53.82,-1.57\n"
    )
    (package / "service_at_location.csv").write_text("id,service_id,location_id\nsl1,s1,l1\n")
    (package / "schedules.csv").write_text(
        "id,service_id,byday,opens_at,closes_at\nsc1,s1,WE,12:00,14:00\n"
    )
    import_services(source=package)
    service = Service.objects.get(pk="s1")
    assert service.minimum_age == 60 and service.in_person and service.organisation_id == "o1"
    (package / "locations.csv").write_text(
        "id,location_type,name,latitude,longitude\nl1,physical,Hall,91,-1.57\n"
    )
    assert refused(package) == [
        "s1: service_at_locations[0].location.latitude: 91 is not a latitude "
        "(it must be between -90 and 90)"
    ]


def test_the_command_prints_each_problem_and_exits_non_zero(tmp_path, capsys):
    bad = record()
    bad["service_at_locations"][0]["location"]["latitude"] = 100
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("directory", "import", str(write(tmp_path, [bad])))
    assert f"{bad['id']}: service_at_locations[0].location.latitude: 100" in capsys.readouterr().err


def test_the_command_exports_what_it_imported(tmp_path, capsys):
    path = write(tmp_path, [record(), record()])
    call_command("directory", "import", str(path))
    out = tmp_path / "out.json"
    call_command("directory", "export", "--out", str(out))
    assert len(json.loads(out.read_text())) == 2


@pytest.mark.parametrize("batch", [1, 1000], ids=["across batches", "within a batch"])
def test_a_record_may_refer_to_an_organisation_and_location_given_earlier(
    tmp_path, monkeypatch, batch
):
    monkeypatch.setattr("linkwell.directory.importing.BATCH", batch)
    first = record()
    later = record(at=None, organization=None)
    later["organization_id"] = first["organization"]["id"]
    del later["organization"]
    location = first["service_at_locations"][0]["location"]["id"]
    later["service_at_locations"] = [{"id": "sal-later", "location_id": location}]
    import_services(source=write(tmp_path, [first, later]))
    service = Service.objects.get(pk=later["id"])
    assert service.organisation_id == first["organization"]["id"]
    assert service.points.filter(latitude__isnull=False).exists()  # ranked at that place


@pytest.mark.parametrize("batch", [1, 1000], ids=["across batches", "within a batch"])
def test_a_place_given_in_full_twice_keeps_one_address(tmp_path, monkeypatch, batch):
    monkeypatch.setattr("linkwell.directory.importing.BATCH", batch)
    first, later = record(), record()
    place = first["service_at_locations"][0]["location"]
    place["addresses"] = [
        {
            "id": "a1",
            "address_1": "1 High St",
            "city": "Leeds",
            "state_province": "West Yorkshire",
            "postal_code": "LS6 1AB",
            "country": "GB",
            "address_type": "physical",
        }
    ]
    later["service_at_locations"][0]["location"] = {**place, "name": "The hall, renamed"}
    import_services(source=write(tmp_path, [first, later]))
    location = Location.objects.get(pk=place["id"])
    assert location.name == "The hall, renamed"
    assert location.addresses.count() == 1
    assert ServiceAtLocation.objects.filter(location=location).count() == 2


@pytest.mark.parametrize("batch", [1, 1000], ids=["across batches", "within a batch"])
def test_an_organisation_given_twice_keeps_the_later_details(tmp_path, monkeypatch, batch):
    monkeypatch.setattr("linkwell.directory.importing.BATCH", batch)
    first, later, third = record(), record(), record()
    organisation = first["organization"]
    later["organization"] = {**organisation, "name": "Renamed"}
    third["organization"] = {**organisation, "name": "Renamed"}
    import_services(source=write(tmp_path, [first, later, third]))
    assert Service.objects.get(pk=first["id"]).organisation.name == "Renamed"


def test_an_impossible_date_time_is_a_listed_problem(tmp_path):
    impossible = record(name="Leap")
    impossible["last_modified"] = "2026-02-30T10:00:00Z"  # shaped right, no such day
    problems = refused(write(tmp_path, [impossible]))
    assert any(p.startswith(f"{impossible['id']}: last_modified") for p in problems), problems
