"""The pages and the ORUK API, through HTTP: who may do what, and what they see."""

import re

import pytest
from django.core.management import call_command

from linkwell.accounts.models import AuditEntry, Organisation, OrganisationKind, Role
from linkwell.directory import personal_data
from linkwell.directory.models import DirectoryOrganisation, Service, ServiceVersion
from linkwell.geo.demo import SAMPLE
from linkwell.geo.services import import_onspd
from tests.directory.factories import HOME, load, record
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    import_onspd(path=SAMPLE)
    practice = PracticeFactory()
    case = make_case(practice=practice, postcode="LS6 1AB")
    near, young = (
        record(name="Lunch club", at=HOME),
        record(name="Youth club", at=HOME, maximum_age=25),
    )
    load(near, young)
    return {"case": case, "pcn": practice.parent, "near": near}


def test_a_link_worker_finds_support_and_picks_a_service(client, world):
    worker = user_with_role(Role.LINK_WORKER, world["pcn"])
    client.force_login(worker)
    case = world["case"]
    page = client.get(f"/cases/{case.pk}/find-support/?days=1&parts=0")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lunch club" in html and "Youth club" not in html and "Open Tuesday mornings" in html
    assert AuditEntry.objects.filter(action="view", person_id=case.person_id).exists()
    response = client.post(
        f"/cases/{case.pk}/find-support/pick/",
        {"service": world["near"]["id"], "reason": ["0.0 km away", "Free"]},
    )
    assert response.status_code == 302
    entry = case.shortlist.get()
    assert entry.service_id == world["near"]["id"] and entry.reasons == ["0.0 km away", "Free"]
    assert AuditEntry.objects.filter(object_type="directory.shortlistentry").exists()
    case_page = client.get(f"/cases/{case.pk}/connections/").content.decode()
    assert 'id="shortlist"' in case_page and "Lunch club" in case_page
    (picked,) = personal_data.sections(case.person)["Services picked for you"]
    assert picked["Service"] == "Lunch club" and picked["Why"] == "0.0 km away; Free"
    personal_data.erase(case.person)
    assert case.shortlist.get().reasons == []


def test_find_support_is_for_the_case_s_own_pcn_link_workers(client, world):
    case = world["case"]
    other = user_with_role(Role.LINK_WORKER, PracticeFactory().parent)
    client.force_login(other)
    assert client.get(f"/cases/{case.pk}/find-support/").status_code == 404
    assert client.post(f"/cases/{case.pk}/find-support/pick/", {"service": "x"}).status_code == 404
    client.force_login(user_with_role(Role.LINK_WORKER, world["pcn"]))
    response = client.post(f"/cases/{case.pk}/find-support/pick/", {"service": "gone"})
    assert response.url == f"/cases/{case.pk}/find-support/" and not case.shortlist.exists()
    client.force_login(user_with_role(Role.MANAGER, world["pcn"]))
    assert client.get(f"/cases/{case.pk}/find-support/").status_code == 403


def test_an_unknown_postcode_uses_its_district_and_says_so(client, world):
    case = make_case(pcn=world["pcn"], postcode="LS6 9ZZ")
    client.force_login(user_with_role(Role.LINK_WORKER, world["pcn"]))
    html = client.get(f"/cases/{case.pk}/find-support/").content.decode()
    assert "distances are from the middle of LS6" in html and "Lunch club" in html


def test_the_directory_search_page(client, world):
    client.force_login(user_with_role(Role.REFERRER, PracticeFactory()))
    html = client.get("/directory/?q=lunch&postcode=LS6+1AB&radius=2").content.decode()
    assert "Lunch club" in html and "1 service" in html and "km away" in html
    html = client.get("/directory/?need=money").content.decode()
    assert "0 services" in html
    assert client.get(f"/directory/services/{world['near']['id']}/").status_code == 200
    assert client.get("/directory/services/gone/").url == "/directory/"
    client.logout()
    assert client.get("/directory/").status_code == 302


def test_the_oruk_api_is_public_and_in_the_oruk_shape(client, world):
    page = client.get("/oruk/services?postcode=LS6%201AB&proximity=2000&per_page=1").json()
    assert page["total_items"] == 2 and page["total_pages"] == 2 and page["first_page"]
    assert page["contents"][0]["distance"] <= 2000 and "schedules" not in page["contents"][0]
    full = client.get(f"/oruk/services/{world['near']['id']}").json()
    assert full["schedules"][0]["byday"] == "TU" and full["organization"]["name"]
    assert client.get("/oruk/services/nope").status_code == 404
    assert client.get("/oruk/services?postcode=ZZ99%209ZZ").status_code == 400
    assert client.get("/oruk/taxonomy_terms").json()["total_items"] == 1
    assert client.get("/oruk/services?search=youth").json()["total_items"] == 1
    assert client.get("/oruk/docs").status_code == 200
    assert "/oruk/services" in client.get("/oruk/openapi.json").json()["paths"]


def _provider_world(world):
    account = Organisation.objects.create(name="Friends", kind=OrganisationKind.PROVIDER)
    service = Service.objects.get(pk=world["near"]["id"])
    call_command("directory", "link", service.organisation_id, "Friends")
    assert DirectoryOrganisation.objects.get(pk=service.organisation_id).account == account
    return account, service


def test_a_provider_confirms_and_edits_their_own_services_with_history(client, world):
    account, service = _provider_world(world)
    provider = user_with_role(Role.PROVIDER, account)
    client.force_login(provider)
    assert "Lunch club" in client.get("/directory/review/").content.decode()
    assert client.post(f"/directory/services/{service.pk}/confirm/").status_code == 302
    response = client.post(
        f"/directory/services/{service.pk}/edit/",
        {"name": "Lunch club for all", "description": "Soup.", "status": "active", "fees": "Free"},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Lunch club for all" and not service.is_stale
    edited = ServiceVersion.objects.filter(change="edited").get()
    assert edited.by == provider and edited.diff["name"] == ["Lunch club", "Lunch club for all"]
    assert ServiceVersion.objects.filter(change="confirmed").exists()
    young = Service.objects.get(name="Youth club")
    assert client.post(f"/directory/services/{young.pk}/confirm/").status_code == 404
    assert AuditEntry.objects.filter(action="denied", user=provider, object_id=young.pk).exists()


def test_stale_services_are_listed_for_review(client, world):
    load(record(name="Old group", assured_date="2020-01-01"))
    client.force_login(user_with_role(Role.LINK_WORKER, world["pcn"]))
    html = client.get("/directory/review/").content.decode()
    assert "Old group" in html and "Lunch club" not in html
    client.force_login(user_with_role(Role.REFERRER, PracticeFactory()))
    assert "Old group" in client.get("/directory/review/").content.decode()


@pytest.fixture
def many(world):
    """25 walking groups near the person and one debt advice service, beyond a page of 20."""
    walks = [record(name=f"Walking group {n:02}", at=HOME) for n in range(25)]
    debt = record(name="Money matters", terms=("befriending", "debt-advice"), at=HOME)
    load(*walks, debt)
    return {"walks": walks, "debt": debt}


def test_find_support_pages_past_twenty(client, world, many):
    client.force_login(user_with_role(Role.LINK_WORKER, world["pcn"]))
    url = f"/cases/{world['case'].pk}/find-support/"
    first = client.get(url).content.decode()
    assert "27 services; 1–20 shown" in first and 'href="?page=2"' in first
    second = client.get(url, {"page": "2"}).content.decode()
    assert "21–27 shown" in second
    names = lambda html: set(re.findall(r">(Walking group \d+|Lunch club|Money matters)<", html))  # noqa: E731
    assert len(names(first)) == 20 and len(names(second)) == 7
    assert not names(first) & names(second)
    assert client.get(url, {"page": "99999999999999999999"}).status_code == 200


def test_find_support_searches_name_description_and_taxonomy(client, world, many):
    client.force_login(user_with_role(Role.LINK_WORKER, world["pcn"]))
    url = f"/cases/{world['case'].pk}/find-support/"
    html = client.get(url, {"q": "lunch"}).content.decode()
    assert "1 service with “lunch”" in html and "Lunch club" in html
    # "Debt" is in neither name nor description, only in the service's taxonomy term.
    html = client.get(url, {"q": "debt"}).content.decode()
    assert "Money matters" in html and "Walking group" not in html
    html = client.get(url, {"q": "walking", "page": "2", "days": ["1", "3"]}).content.decode()
    assert "25 services with “walking”; 21–25 shown" in html
    # The pager keeps the search and every ticked day.
    assert 'href="?q=walking&amp;page=1&amp;days=1&amp;days=3"' in html
    assert "No services match" in client.get(url, {"q": "zzzz"}).content.decode()


def test_pick_for_this_person_from_the_directory(client, world, many):
    case = world["case"]
    client.force_login(user_with_role(Role.LINK_WORKER, world["pcn"]))
    service_id = many["debt"]["id"]
    find = client.get(f"/cases/{case.pk}/find-support/", {"q": "debt"}).content.decode()
    assert f"/directory/services/{service_id}/?case={case.pk}" in find
    assert f"/directory/?case={case.pk}" in find
    search = client.get("/directory/", {"q": "money", "case": case.pk}).content.decode()
    assert f"/directory/services/{service_id}/?case={case.pk}" in search
    assert f'name="case" value="{case.pk}"' in search
    page = client.get(f"/directory/services/{service_id}/", {"case": case.pk}).content.decode()
    assert "Pick for Jo Bloggs" in page and f"/cases/{case.pk}/find-support/pick/" in page
    response = client.post(f"/cases/{case.pk}/find-support/pick/", {"service": service_id})
    assert response.status_code == 302 and case.shortlist.get().service_id == service_id
    page = client.get(f"/directory/services/{service_id}/", {"case": case.pk}).content.decode()
    assert "Picked for Jo Bloggs" in page and "Pick for Jo Bloggs" not in page
    # Without a case the page is the plain directory page.
    assert "Pick for" not in client.get(f"/directory/services/{service_id}/").content.decode()


def test_pick_from_the_directory_is_refused_for_a_case_the_user_cannot_see(client, world, many):
    case, service_id = world["case"], many["debt"]["id"]
    client.force_login(user_with_role(Role.LINK_WORKER, PracticeFactory().parent))
    for url in (f"/directory/services/{service_id}/", "/directory/"):
        assert client.get(url, {"case": case.pk}).status_code == 404
        assert client.get(url, {"case": "not-a-case"}).status_code == 404
    assert AuditEntry.objects.filter(action="denied", object_type="cases.case").exists()
    response = client.post(f"/cases/{case.pk}/find-support/pick/", {"service": service_id})
    assert response.status_code == 404 and not case.shortlist.exists()
    # A referrer may use the directory but never picks for a case.
    client.force_login(user_with_role(Role.REFERRER, PracticeFactory()))
    page = client.get(f"/directory/services/{service_id}/", {"case": case.pk})
    assert page.status_code == 404


def test_the_preferences_panel_opens_only_for_a_preference_set_or_wrong(client, world):
    client.force_login(user_with_role(Role.LINK_WORKER, world["pcn"]))
    url = f"/cases/{world['case'].pk}/find-support/"
    panel = lambda query: re.search(  # noqa: E731
        r'<details class="nhsuk-details"( open)?>', client.get(url, query).content.decode()
    ).group(1)
    # The search button sends the panel's fields as they start: that sets no preference.
    closed = [{}, {"page": "2"}, {"q": "lunch"}, {"q": "lunch", "mode": "any", "radius": "10"}]
    for query in closed:
        assert panel(query) is None, query
    for query in ({"days": "1"}, {"mode": "online"}, {"free_only": "on"}, {"radius": "20"}):
        assert panel(query) == " open", query
    assert panel({"page": "2", "radius": "nonsense"}) == " open"  # an error shows where it is
