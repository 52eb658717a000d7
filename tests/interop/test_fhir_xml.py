"""FHIR XML in (application/fhir+xml): the UK Core examples are XML, so Linkwell reads it for
what it accepts — a transaction Bundle (Patient + ServiceRequest), a ServiceRequest, and a
provider's Task update (test_task_updates.py) — and answers in JSON."""

import re
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from linkwell.accounts.models import AuditEntry, Role
from linkwell.cases.models import Referral
from tests.factories import user_with_role
from tests.interop.test_fhir_referrals import bearer, gravity_bundle

pytestmark = pytest.mark.django_db

# The examples the tests post are committed (tests/fixtures/fhir-uk-core/SOURCE.md: origin and
# Apache 2.0 licence); the whole UK Core folder is checked only where ../shared has it.
UK_CORE = Path(__file__).resolve().parents[1] / "fixtures" / "fhir-uk-core"
UK_CORE_ALL = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "fhir-uk-core" / "examples"
)
needs_all_of_uk_core = pytest.mark.skipif(
    not UK_CORE_ALL.exists(), reason="needs ../shared/data/fhir-uk-core"
)
PATIENT = "UKCore-Patient-RichardSmith-Example.xml"
# Every UK Core ServiceRequest example, with Richard Smith, as a transaction Bundle: each is a
# clinical order, not social prescribing, so each is refused with the element that says so.
SERVICE_REQUESTS = {
    "Extension-UKCore-SourceOfServiceRequest-Example.xml": "Bundle.entry[1].resource.reasonCode",
    "UKCore-ServiceRequest-CTChestScan-Example.xml": "Bundle.entry[1].resource.code",
    "UKCore-ServiceRequest-ColonoscopyRequest-Example.xml": "Bundle.entry[1].resource.code",
    "UKCore-ServiceRequest-ECG-Example.xml": "Bundle.entry[1].resource.code",
    "UKCore-ServiceRequest-HipReplacement-Example.xml": "Bundle.entry[1].resource.code",
    "UKCore-ServiceRequest-Lab-CReactiveProtein-Example.xml": "Bundle.entry[1].resource.code",
}


@pytest.fixture
def gp(practice):
    return user_with_role(Role.REFERRER, practice)


def post_xml(client, user, body, path="/fhir/"):
    return client.post(path, body, content_type="application/fhir+xml", **bearer(user))


def problem(response, status) -> str:
    assert response.status_code == status, response.content[:400]
    return (OperationOutcome.model_validate_json(response.content).issue[0].expression or [""])[0]


def uk_core(name) -> str:
    """An example as it is, without its XML declaration, to embed in a Bundle."""
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", (UK_CORE / name).read_text(encoding="utf-8-sig"))


def xml_bundle(*resources: str) -> str:
    entries = []
    for i, resource in enumerate(resources):
        kind = re.match(r"<(\w+)", resource)[1]
        entries.append(
            f'<entry><fullUrl value="urn:uuid:00000000-0000-4000-8000-00000000000{i}"/>'
            f"<resource>{resource}</resource>"
            f'<request><method value="POST"/><url value="{kind}"/></request></entry>'
        )
    head = '<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/>'
    return f"{head}{''.join(entries)}</Bundle>"


def test_a_gravity_bundle_sent_as_xml_makes_the_same_referral(client, gp):
    xml = Bundle.model_validate(gravity_bundle()).model_dump_xml(exclude_none=True)
    response = post_xml(client, gp, xml)
    assert response.status_code == 201, response.content[:400]
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    reply = Bundle.model_validate_json(response.content)
    assert reply.entry[-1].resource.status == "requested"
    patient = gravity_bundle()["entry"][0]["resource"]
    assert str(Referral.objects.get().person.date_of_birth) == patient["birthDate"]


@pytest.mark.parametrize("name", sorted(SERVICE_REQUESTS))
def test_every_uk_core_service_request_is_accepted_or_refused_with_its_path(client, gp, name):
    response = post_xml(client, gp, xml_bundle(uk_core(PATIENT), uk_core(name)))
    if SERVICE_REQUESTS[name] == "created":
        assert response.status_code == 201, response.content[:400]
        referral = Referral.objects.get()
        assert referral.person.nhs_number == "9912003888"  # UK Core identifier, Modulus 11 valid
    else:
        assert problem(response, 422) == SERVICE_REQUESTS[name]
        assert not Referral.objects.exists()


def test_a_uk_core_service_request_alone_is_refused_as_not_social_prescribing(client, gp):
    body = uk_core("UKCore-ServiceRequest-ECG-Example.xml")
    assert problem(post_xml(client, gp, body, "/fhir/ServiceRequest"), 422) == (
        "ServiceRequest.code"
    )


def test_the_committed_examples_are_the_uk_core_ones():
    """Each committed example is byte for byte the UK Core one (where ../shared has them)."""
    names = sorted(p.name for p in UK_CORE.glob("*.xml"))
    assert names == sorted([PATIENT, *SERVICE_REQUESTS])
    if UK_CORE_ALL.exists():
        for name in names:
            assert (UK_CORE / name).read_bytes() == (UK_CORE_ALL / name).read_bytes(), name


@needs_all_of_uk_core
def test_every_uk_core_example_of_a_type_we_read_parses(client, gp):
    """The types we take in (Patient and ServiceRequest inside a Bundle) all read from XML;
    the other UK Core types are not taken in as requests."""
    kinds = {}
    for path in sorted(UK_CORE_ALL.glob("*.xml")):
        kinds.setdefault(re.search(r"<(\w+) xmlns", path.read_text())[1], []).append(path.name)
    assert set(kinds["ServiceRequest"]) == set(SERVICE_REQUESTS)
    assert PATIENT in kinds["Patient"]


@pytest.mark.parametrize(
    "body, status, path",
    [
        ("<Bundle", 400, ""),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            400,
            "",
        ),
        ('<Person xmlns="urn:not-fhir"/>', 422, "resourceType"),
        (
            '<Bundle xmlns="http://hl7.org/fhir"><type value="nonsense"/></Bundle>',
            422,
            "Bundle.type",
        ),
        ('<Patient xmlns="http://hl7.org/fhir"><birthDate value="x"/></Patient>', 422, "Patient"),
    ],
)
def test_bad_xml_is_refused_and_audited(client, gp, body, status, path):
    assert problem(post_xml(client, gp, body), status).startswith(path)
    assert not Referral.objects.exists()
    assert AuditEntry.objects.filter(action="denied", user=gp).exists()


def test_xml_from_someone_who_cannot_refer_is_not_read(client, pcn):
    provider = user_with_role(Role.PROVIDER, pcn)
    response = post_xml(client, provider, "<not-even-xml")
    assert response.status_code == 403


ENTITY_BUNDLE = (
    '<?xml version="1.0" encoding="{encoding}"?>'
    '<!DOCTYPE Bundle [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    '<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/>'
    '<entry><fullUrl value="urn:uuid:00000000-0000-4000-8000-000000000000"/><resource>'
    '<Patient xmlns="http://hl7.org/fhir"><name><family value="&lol2;"/></name></Patient>'
    '</resource><request><method value="POST"/><url value="Patient"/></request></entry></Bundle>'
)


@pytest.mark.parametrize(
    "encoding, declared",
    [("utf-8", "UTF-8"), ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16")],
)
def test_a_document_type_is_refused_whatever_the_encoding(client, gp, encoding, declared):
    """Issue 15, item 9: the check read the raw bytes for "<!DOCTYPE", so a UTF-16 body's
    internal entity was expanded and stored."""
    body = ENTITY_BUNDLE.format(encoding=declared).encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        body = ("\ufeff".encode(encoding)) + body  # XML wants a byte-order mark for UTF-16
    response = post_xml(client, gp, body)
    assert response.status_code == 400, response.content[:300]
    assert (
        "document type"
        in OperationOutcome.model_validate_json(response.content).issue[0].diagnostics
    )
    assert not Referral.objects.exists()
    assert "lollol" not in str(list(AuditEntry.objects.values_list("detail", flat=True)))


@pytest.mark.parametrize(
    "element",
    [
        # XInclude is never processed, and an element no FHIR resource has was a KeyError (500)
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>',
        "<colour/>",
    ],
)
def test_an_element_the_resource_does_not_have_is_refused_not_a_server_error(client, gp, element):
    body = f'<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/>{element}</Bundle>'
    assert problem(post_xml(client, gp, body), 422) == "Bundle"
