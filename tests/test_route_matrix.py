"""Every URL and API route × every role × own/other organisation, generated from the URL
conf and the OpenAPI description, so a new route cannot escape it.

Each route has one rule: the capability it needs (403 without it), and the capabilities whose
holders see the record it names (others get 404, audited). A route missing from RULES fails
`test_every_route_has_a_rule`.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from linkwell.accounts.models import AuditEntry, Role
from linkwell.accounts.permissions import CAPABILITIES
from linkwell.accounts.permissions import Capability as C
from linkwell.accounts.services import create_token
from linkwell.api import api
from linkwell.cases import services
from linkwell.cases.models import as_referred_id
from linkwell.delivery.services import queue
from linkwell.outcomes.services import record_administration
from tests.connections.factories import connect, provider_service
from tests.factories import PracticeFactory, make_case, user_with_role

ROLES = list(Role)
REFERRAL_READERS = frozenset({C.VIEW_CASELOAD, C.TRACK_OWN_REFERRALS})


@dataclass(frozen=True)
class Rule:
    need: C | None = None  # None: no capability needed
    obj: str | None = None  # the record the URL names: case, referral, person, goal, task, org
    scope: frozenset = field(default=None)  # capabilities that reach the record; default {need}
    method: str = "GET"
    kwargs: dict = field(default_factory=dict)
    data: dict | None = None
    public: bool = False
    api: bool = False  # answers an anonymous request with 401, not a sign-in redirect (FHIR)
    machine: bool = False  # its own bearer token, not a user: 401 for anyone without it

    @property
    def readers(self):
        return self.scope if self.scope is not None else frozenset({self.need})


PUBLIC = Rule(public=True)
SAME = object()  # a URL argument naming the same record as `pk`
RULES = {
    # web pages
    "home": Rule(),
    "healthz": PUBLIC,
    "portal:self_referral": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:two_factor": PUBLIC,
    "accounts:logout": Rule(public=True, method="POST"),
    "accounts:account": Rule(),  # anyone signed in: their own account
    "accounts:audit": Rule(C.READ_AUDIT),
    "accounts:organisations": Rule(C.MANAGE_ORGANISATIONS),
    "accounts:require_two_factor": Rule(C.MANAGE_ORGANISATIONS, "org", method="POST"),
    "accounts:password_reset": PUBLIC,
    "accounts:sso_start": PUBLIC,  # 404 unless single sign-on is configured
    "accounts:sso_callback": PUBLIC,
    "accounts:link": Rule(public=True, kwargs={"token": "not-a-token"}),
    "accounts:staff": Rule(C.MANAGE_STAFF),
    "accounts:invite": Rule(C.MANAGE_STAFF),
    "accounts:service_account_new": Rule(C.MANAGE_STAFF),
    "accounts:staff_member": Rule(C.MANAGE_STAFF, "staff"),
    "accounts:staff_action": Rule(
        C.MANAGE_STAFF, "staff", method="POST", kwargs={"action": "reactivate"}
    ),
    "people:subject_access": Rule(C.PROCESS_SUBJECT_REQUESTS, "person", kwargs={"fmt": "json"}),
    "people:erase": Rule(C.PROCESS_SUBJECT_REQUESTS, "person"),
    # (merging a record with itself is refused politely: enough to prove who may reach it)
    "people:merge": Rule(C.MANAGE_CASES, "person", method="POST", kwargs={"duplicate_pk": SAME}),
    "cases:caseload": Rule(C.VIEW_CASELOAD),
    "cases:caseload_bulk": Rule(C.MANAGE_CASES, method="POST", data={"action": "assign"}),
    "cases:today": Rule(C.MANAGE_CASES),
    "cases:referrals": Rule(C.TRACK_OWN_REFERRALS),
    "cases:referral_new": Rule(C.MAKE_REFERRALS),
    "cases:referral": Rule(C.TRACK_OWN_REFERRALS, "referral"),
    "cases:case": Rule(C.VIEW_CASELOAD, "case"),
    "cases:case_plan": Rule(C.VIEW_CASELOAD, "case"),
    "cases:case_connections": Rule(C.VIEW_CASELOAD, "case"),
    "cases:case_measures": Rule(C.VIEW_CASELOAD, "case"),
    "cases:case_message_back": Rule(C.VIEW_CASELOAD, "case"),
    "cases:take": Rule(C.MANAGE_CASES, "case", method="POST"),
    "cases:case_timeline": Rule(C.VIEW_CASELOAD, "case"),
    "cases:quick_contact": Rule(C.MANAGE_CASES, "case", method="POST"),
    "cases:goal_status": Rule(C.MANAGE_CASES, "goal", method="POST", data={"status": "achieved"}),
    "cases:goal_action": Rule(C.MANAGE_CASES, "goal", method="POST", data={"description": "x"}),
    "cases:task_done": Rule(C.MANAGE_CASES, "task", method="POST"),
    "cases:action": Rule(C.MANAGE_CASES, "case", method="POST", kwargs={"action": "contact"}),
    # the PRSB social prescribing standard: completeness and the message back (linkwell/standards)
    "standards:completeness": Rule(C.REPORT_OUTCOMES),
    "standards:message_back": Rule(C.MANAGE_CASES, "case"),
    "standards:referral_letter": Rule(C.TRACK_OWN_REFERRALS, "referral"),
    "standards:referrer": Rule(
        C.MANAGE_CASES, "case", method="POST", data={"name": "A", "contact": "a@b.example"}
    ),
    "standards:letter": Rule(C.VIEW_CASELOAD, "case", kwargs={"fmt": "html"}),
    # onward referrals to services, the provider portal and its emailed links
    "connections:refer": Rule(C.MANAGE_CASES, "case"),
    "connections:status": Rule(
        C.MANAGE_CASES, "connection", method="POST", data={"to": "withdrawn", "reason": "x"}
    ),
    "connections:remind": Rule(C.MANAGE_CASES, "connection", method="POST"),
    "connections:portal": Rule(C.RESPOND_TO_CONNECTIONS),
    "connections:provider_referral": Rule(C.RESPOND_TO_CONNECTIONS, "connection"),
    "connections:provider_update": Rule(
        C.RESPOND_TO_CONNECTIONS, "connection", method="POST", data={"to": "accepted"}
    ),
    "connections:respond": Rule(public=True, kwargs={"token": "not-a-token"}),
    # check-ins with the person (their single-use answer link is public) and their own page
    "checkins:set_due": Rule(
        C.MANAGE_CASES, "connection", method="POST", data={"due_at": "2030-01-01T10:00"}
    ),
    "checkins:answer": Rule(public=True, kwargs={"token": "not-a-token"}),
    # the outbox (linkwell/delivery): admins' view, and GOV.UK Notify's delivery receipts
    "delivery:outbox": Rule(C.READ_AUDIT),
    "delivery:notify_receipt": Rule(method="POST", api=True, machine=True),
    # (the world's message back is not awaiting a reply: refused politely, enough to prove who
    # may reach it)
    "delivery:confirm_received": Rule(C.MANAGE_CASES, "delivery", method="POST"),
    "portal:send_page": Rule(C.MANAGE_CASES, "case", method="POST", data={"channel": "text"}),
    "portal:person_link": Rule(public=True, kwargs={"token": "not-a-token"}),
    "portal:person_page": PUBLIC,
    "portal:person_measure": Rule(public=True, method="POST", data={"measure": "1"}),
    "portal:person_close": Rule(public=True, method="POST"),
    # the service directory (issue 3); directory data is not personal, so search and service
    # pages are for anyone signed in, and the ORUK read API is public
    "directory:find_support": Rule(C.FIND_SUPPORT, "case"),
    "directory:pick": Rule(C.FIND_SUPPORT, "case", method="POST", data={"service": "none"}),
    "directory:search": Rule(),
    "directory:service": Rule(kwargs={"service_id": "no-longer-listed"}),  # → search, politely
    "directory:review": Rule(),
    "directory:confirm": Rule(C.MAINTAIN_SERVICES, "service", method="POST"),
    "directory:edit": Rule(C.MAINTAIN_SERVICES, "service"),
    "oruk:get_service": Rule(public=True, kwargs={"service_id": "none"}),
    "oruk:get_taxonomy": Rule(public=True, kwargs={"taxonomy_id": "none"}),
    "oruk:get_term": Rule(public=True, kwargs={"term_id": "none"}),
    "oruk:get_at_location": Rule(public=True, kwargs={"at_location_id": "none"}),
    "oruk:get_organisation": Rule(public=True, kwargs={"organization_id": "none"}),
    "oruk_elsewhere": Rule(public=True, kwargs={"rest": "nothing"}),  # 404, in JSON
    **{
        f"oruk:{name}": PUBLIC
        for name in (
            "api-root",
            "about",
            "list_services",
            "list_taxonomies",
            "list_terms",
            "list_at_locations",
            "list_organisations",
            "openapi-json",
            "openapi-view",
        )
    },
    # FHIR referrals in and the closed loop out (linkwell/interop/referral_views.py)
    "interop:metadata": PUBLIC,
    "interop:transaction": Rule(C.MAKE_REFERRALS, method="POST", api=True),
    "interop:service_request_type": Rule(C.MAKE_REFERRALS, method="POST", api=True),
    "interop:service_request": Rule(obj="referral", scope=REFERRAL_READERS, api=True),
    "interop:task_type": Rule(scope=REFERRAL_READERS, api=True),
    "interop:task_search": Rule(scope=REFERRAL_READERS, api=True),
    "interop:elsewhere": Rule(public=True, kwargs={"rest": "Practitioner/1"}),  # 404, in FHIR
    "interop:task": Rule(obj="referral", scope=REFERRAL_READERS, api=True),
    # A referrer reads a Patient only as they described them on their own referral (the
    # access matrix checks what it holds); the person's consents are the PCN's record.
    "interop:patient": Rule(obj="person", scope=REFERRAL_READERS, api=True),
    "interop:consent": Rule(obj="consent", scope=frozenset({C.VIEW_CASELOAD}), api=True),
    "interop:goal": Rule(C.VIEW_CASELOAD, "goal", api=True),
    # a search: anyone with a token gets a Bundle of what is theirs to see (maybe empty)
    "interop:document_reference_type": Rule(api=True),
    "interop:document_reference_search": Rule(api=True),
    # the JSON API (paths as in the OpenAPI description)
    "GET /api/openapi.json": PUBLIC,
    "GET /api/docs": PUBLIC,
    "GET /api/v1/needs": PUBLIC,
    "POST /api/v1/referrals": Rule(C.MAKE_REFERRALS, method="POST", data="referral"),
    "GET /api/v1/referrals": Rule(scope=REFERRAL_READERS),
    "GET /api/v1/referrals/{referral_id}": Rule(obj="referral", scope=REFERRAL_READERS),
    "GET /api/v1/cases": Rule(C.VIEW_CASELOAD),
    "GET /api/v1/cases/{case_id}": Rule(C.VIEW_CASELOAD, "case"),
    "POST /api/v1/cases/{case_id}/transitions": Rule(
        C.MANAGE_CASES, "case", method="POST", data={"to": "declined"}
    ),
    "POST /api/v1/cases/{case_id}/contacts": Rule(
        C.MANAGE_CASES,
        "case",
        method="POST",
        data={"at": "2026-01-05T10:00:00Z", "mode": "phone", "minutes": 5},
    ),
    "POST /api/v1/cases/{case_id}/what-matters": Rule(
        C.MANAGE_CASES, "case", method="POST", data={"what_matters": "x"}
    ),
    "PUT /api/v1/cases/{case_id}/care-plan": Rule(
        C.MANAGE_CASES, "case", method="PUT", data={"summary": "x"}
    ),
    "POST /api/v1/cases/{case_id}/goals": Rule(
        C.MANAGE_CASES, "case", method="POST", data={"description": "x"}
    ),
    "POST /api/v1/cases/{case_id}/tasks": Rule(
        C.MANAGE_CASES, "case", method="POST", data={"title": "x", "due_on": "2030-01-01"}
    ),
    "PUT /api/v1/cases/{case_id}/follow-up-advice": Rule(
        C.MANAGE_CASES, "case", method="PUT", data={"follow_up_advice": "x"}
    ),
    "PUT /api/v1/cases/{case_id}/address": Rule(
        C.MANAGE_CASES, "case", method="PUT", data={"address": "1 Road", "postcode": "LS1 4AP"}
    ),
    "PUT /api/v1/cases/{case_id}/gp-practice": Rule(
        C.MANAGE_CASES, "case", method="PUT", data={"gp_practice_code": "A81001"}
    ),
    "POST /api/v1/cases/{case_id}/risks": Rule(
        C.MANAGE_CASES, "case", method="POST", data={"no_known_risks": True}
    ),
    "PUT /api/v1/cases/{case_id}/referrer": Rule(
        C.MANAGE_CASES, "case", method="PUT", data={"name": "A", "contact": "a@b.example"}
    ),
    "POST /api/v1/cases/{case_id}/message-back": Rule(
        C.MANAGE_CASES, "case", method="POST", data={"recipient": "gp", "consent_given": True}
    ),
    # outcome measures and their FHIR read-out
    "outcomes:measure_new": Rule(C.MANAGE_CASES, "case"),
    "outcomes:measure_link": Rule(
        C.MANAGE_CASES,
        "case",
        method="POST",
        data={"instrument": "ucla3", "timepoint": "follow_up"},
    ),
    "outcomes:self_complete": Rule(public=True, kwargs={"token": "not-a-real-token"}),
    "outcomes:instruments": Rule(C.DEFINE_INSTRUMENTS),
    "outcomes:report": Rule(C.REPORT_OUTCOMES),
    "interop:questionnaire_response": Rule(C.VIEW_CASELOAD, "measure", api=True),
    "interop:observation": Rule(C.VIEW_CASELOAD, "measure", api=True),
    "interop:questionnaire": Rule(api=True, kwargs={"pk": "swemwbs"}),
    # reporting for managers (issue 6): aggregate figures of the PCNs they manage
    "reporting:dashboard": Rule(C.VIEW_REPORTS),
    "reporting:headlines": Rule(C.VIEW_REPORTS),
    "reporting:pcn": Rule(C.VIEW_REPORTS, "org"),
    "reporting:print": Rule(C.VIEW_REPORTS),
    "reporting:completeness": Rule(C.VIEW_REPORTS),
    "reporting:pdf": Rule(C.VIEW_REPORTS),
    "reporting:export": Rule(C.VIEW_REPORTS, kwargs={"table": "all", "fmt": "csv"}),
    "reporting:national_return": Rule(C.VIEW_REPORTS),
    # onward referrals over the API (linkwell/connections/api.py)
    "GET /api/v1/cases/{case_id}/connections": Rule(C.VIEW_CASELOAD, "case"),
    "POST /api/v1/cases/{case_id}/connections": Rule(
        C.MANAGE_CASES,
        "case",
        method="POST",
        data={"service_id": "none", "shared_details": ["name"], "consent_given": True},
    ),
    "GET /api/v1/connections/{connection_id}": Rule(C.VIEW_CASELOAD, "connection"),
    "POST /api/v1/connections/{connection_id}/status": Rule(
        C.MANAGE_CASES, "connection", method="POST", data={"to": "withdrawn", "reason": "x"}
    ),
    "GET /api/v1/provider/referrals": Rule(C.RESPOND_TO_CONNECTIONS),
    "GET /api/v1/provider/referrals/{connection_id}": Rule(C.RESPOND_TO_CONNECTIONS, "connection"),
    "POST /api/v1/provider/referrals/{connection_id}/status": Rule(
        C.RESPOND_TO_CONNECTIONS, "connection", method="POST", data={"to": "accepted"}
    ),
    "GET /api/v1/instruments": Rule(),
    "GET /api/v1/cases/{case_id}/measures": Rule(C.VIEW_CASELOAD, "case"),
    "POST /api/v1/cases/{case_id}/measures": Rule(
        C.MANAGE_CASES,
        "case",
        method="POST",
        data={"instrument": "ucla3", "timepoint": "follow_up", "answers": [1, 2, 1]},
    ),
}
API_PREFIX = "/api"


def web_routes():
    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "api":
                    continue  # the API is enumerated from its OpenAPI description
                yield from walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            else:
                yield f"{ns}{p.name}"

    return sorted(set(walk(get_resolver().url_patterns)))


def api_routes():
    schema = api.get_openapi_schema()
    found = ["GET /api/openapi.json", "GET /api/docs"]
    for path, operations in schema["paths"].items():
        found.extend(f"{method.upper()} {path}" for method in operations)
    return sorted(found)


def test_every_route_has_a_rule():
    routes = set(web_routes() + api_routes())
    missing = sorted(routes - RULES.keys())
    stale = sorted(RULES.keys() - routes)
    assert not missing, f"add these routes to RULES in {__file__}: {missing}"
    assert not stale, f"these RULES name no route: {stale}"


@dataclass
class World:
    practice: object
    case: object
    goal: object
    task: object
    measure: object
    connection: object
    worker: object
    delivery: object

    def obj(self, kind):
        return {
            "connection": self.connection,
            "consent": self.case.person.consents.first(),
            "case": self.case,
            "referral": self.case.referral,
            "person": self.case.person,
            "goal": self.goal,
            "task": self.task,
            "org": self.practice.parent,
            "measure": self.measure,
            "service": self.connection.service,  # a directory service its provider maintains
            "staff": self.worker,  # an account its organisations' admins administer
            "delivery": self.delivery,  # a message back to the GP practice by MESH
        }[kind]


def build_world(family_name="Ownerson"):
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    case = make_case(practice=practice, by=worker, family_name=family_name)
    services.record_contact(
        case=case,
        at=timezone.now(),
        mode="phone",
        minutes=5,
        notes="",
        by=worker,
    )
    services.record_what_matters(case=case, what_matters="x", by=worker)
    services.agree_care_plan(case=case, summary="plan", by=worker)
    goal = services.add_goal(case=case, description="goal", by=worker)
    task = services.add_task(case=case, title="call", due_on=date(2030, 1, 1), by=worker)
    measure = record_administration(
        case=case,
        instrument="ucla3",
        answers=[2, 2, 2],
        timepoint="baseline",
        mode="phone",
        by=worker,
    )
    # Its directory organisation is linked to where `member` puts providers: "own" providers
    # answer this world's referral.
    connection = connect(case, provider_service(account=practice.parent), worker)
    delivery = queue(
        key=f"message-back:{case.pk}",
        what="message back",
        channel="mesh",
        to=practice.ods_code,
        case=case,
    )
    return World(practice, case, goal, task, measure, connection, worker, delivery)


def member(role, world: World):
    organisation = {
        Role.REFERRER: world.practice,
        Role.ADMIN: world.practice.parent.parent,
        Role.COMMISSIONER: world.practice.parent.parent,
        Role.PROVIDER: world.practice.parent,
    }.get(role, world.practice.parent)
    return user_with_role(role, organisation)


def url_for(route, rule: Rule, target) -> str:
    if " " in route:
        path = route.split(" ", 1)[1]
        for name in ("case_id", "referral_id", "connection_id"):
            path = path.replace("{" + name + "}", str(target.pk) if target is not None else "0")
        return path
    kwargs = {k: (target.pk if v is SAME else v) for k, v in rule.kwargs.items()}
    if target is not None:
        if route.startswith("cases:") and rule.obj in ("goal", "task"):
            kwargs.update(pk=world_case_pk(target), **{f"{rule.obj}_id": target.pk})
        else:
            kwargs["pk"] = target.pk
    return reverse(route, kwargs=kwargs)


def world_case_pk(target):
    return target.case_id if hasattr(target, "case_id") else target.care_plan.case_id


def referral_body():
    return {
        "person": {
            "given_name": "Al",
            "family_name": "Matrix",
            "date_of_birth": "1950-01-01",
            "postcode": "LS1 4AP",
            "phone": "0113 496 0000",
        },
        "reasons": ["loneliness"],
        "consent_given": True,
    }


def send(client, route, rule: Rule, url, user):
    headers = {}
    if " " in route and user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {create_token(user=user)}"
    elif user is not None:
        client.force_login(user)
    data = referral_body() if rule.data == "referral" else (rule.data or {})
    if rule.method == "GET":
        return client.get(url, **headers)
    if " " in route:
        return client.generic(
            rule.method,
            url,
            json.dumps(data),
            content_type="application/json",
            **headers,
        )
    return client.post(url, data, **headers)


def expected(rule: Rule, role: Role, own: bool) -> str:
    from linkwell.accounts.permissions import CAPABILITIES

    granted = CAPABILITIES[role]
    if rule.need is not None and rule.need not in granted:
        return "forbidden"
    if rule.obj is None:
        return "allowed"
    if rule.readers & granted and own:
        return "allowed"
    return "not found"


ALL = sorted(RULES)
# The records that are part of a person's record: reading one is a VIEW of that person.
PERSON_RECORDS = {"case", "referral", "person", "goal", "task", "consent", "measure", "connection"}


@pytest.mark.django_db
@pytest.mark.parametrize("route", ALL)
def test_anonymous(client, route):
    rule = RULES[route]
    world = build_world()
    url = url_for(route, rule, world.obj(rule.obj) if rule.obj else None)
    response = send(client, route, rule, url, None)
    assert response.status_code < 500
    if rule.public:
        assert response.status_code not in (401, 403)
    elif " " in route or rule.api:
        assert response.status_code == 401
    else:
        assert response.status_code == 302 and response.url.startswith("/accounts/sign-in/")


@pytest.mark.django_db
@pytest.mark.parametrize("own", [True, False], ids=["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", [r for r in ALL if not RULES[r].public])
def test_role(client, route, role, own):
    rule = RULES[route]
    mine, theirs = build_world(), build_world("Otherington")
    user = member(role, mine)
    target_world = mine if own else theirs
    target = target_world.obj(rule.obj) if rule.obj else None
    if route == "interop:patient" and C.VIEW_CASELOAD not in CAPABILITIES[role]:
        # Outside the PCN a person is read as their referral described them: the PCN's
        # record id is never theirs to know (a record id finds nothing for them).
        target = SimpleNamespace(pk=as_referred_id(target_world.case.referral.pk))
    url = url_for(route, rule, target)
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = send(client, route, rule, url, user)
    outcome = expected(rule, role, own)
    status = response.status_code
    if rule.machine:
        assert status == 401, (status, response.content[:200])
        return
    assert status < 500, response.content[:300]
    if outcome == "forbidden":
        assert status == 403, (status, response.content[:200])
    elif outcome == "not found":
        assert status == 404, (status, response.content[:200])
        assert AuditEntry.objects.filter(action="denied", user=user).exists()
    else:
        assert status not in (401, 403, 404), (status, response.content[:200])
    if outcome == "allowed" and rule.method == "GET" and rule.obj in PERSON_RECORDS:
        # Reads audit themselves (issue 16): exactly one VIEW of this person, by this user.
        views = AuditEntry.objects.filter(id__gt=before, action="view")
        person = mine.case.person_id
        assert [(v.user_id, v.person_id) for v in views] == [(user.pk, person)], route
    if not own and rule.obj is None and rule.method == "GET" and status == 200:
        # Lists: nothing of the other organisation's person may appear.
        assert theirs.case.person.family_name not in response.content.decode(errors="replace")


def reader_of(rule: Rule) -> Role:
    """A role that may reach the record a rule names."""
    return next(
        role
        for role in ROLES
        if (rule.need is None or rule.need in CAPABILITIES[role])
        and rule.readers & CAPABILITIES[role]
    )


# An id that names nothing: longer than the audit log's object_id column, larger than any
# 64-bit integer, or (where the address takes text: FHIR) not a number at all (issue 15,
# item 7). Each is a 404 (an OperationOutcome under /fhir/), audited, never a 500.
UNKNOWN_IDS = {"long": "9" * 60, "overflow": str(2**63), "text": "x" * 60 + "-1"}


@pytest.mark.django_db
@pytest.mark.parametrize("unknown", sorted(UNKNOWN_IDS))
@pytest.mark.parametrize("route", [r for r in ALL if RULES[r].obj and not RULES[r].public])
def test_an_unknown_id_is_an_audited_404(client, route, unknown):
    rule = RULES[route]
    fhir = route.startswith("interop:")
    if unknown == "text" and not fhir:
        pytest.skip("the address takes digits only: anything else matches no route")
    world = build_world()
    user = member(reader_of(rule), world)
    real = world.obj(rule.obj)
    pk = UNKNOWN_IDS[unknown]
    target = SimpleNamespace(
        pk=f"connection-{pk}" if route == "interop:task" else pk,
        case_id=world.case.pk,
        care_plan=SimpleNamespace(case_id=world.case.pk),
    )
    url = url_for(route, rule, target)
    assert str(real.pk) not in url.split("/")[-2:] or route.startswith("cases:")
    response = send(client, route, rule, url, user)
    assert response.status_code == 404, (url, response.status_code, response.content[:300])
    if fhir:
        assert response["Content-Type"].startswith("application/fhir+json")
    entry = AuditEntry.objects.filter(action="denied", user=user).last()
    assert entry is not None and pk.startswith(entry.object_id.removeprefix("connection-")), url


# docs/decisions/0006-manager-access.md, written out rather than read from the permission
# table: a commissioner (an ICB's manager) reaches no person's record, not even in their own
# ICB, and neither erases nor exports one; a PCN manager oversees their own PCN's people.
IDENTIFIABLE = [
    "cases:caseload",
    "cases:case",
    "standards:letter",
    "people:erase",
    "people:subject_access",
    "GET /api/v1/cases",
    "GET /api/v1/cases/{case_id}",
    "interop:patient",
]


@pytest.mark.django_db
@pytest.mark.parametrize("route", IDENTIFIABLE)
def test_a_commissioner_reaches_no_person_a_pcn_manager_their_own(client, route):
    rule = RULES[route]
    world = build_world()
    target = world.obj(rule.obj) if rule.obj else None
    url = url_for(route, rule, target)
    commissioner = user_with_role(Role.COMMISSIONER, world.practice.parent.parent)
    assert send(client, route, rule, url, commissioner).status_code in (403, 404)
    assert world.case.person.family_name not in send(
        client, route, rule, url, commissioner
    ).content.decode(errors="replace")
    manager = user_with_role(Role.MANAGER, world.practice.parent)
    assert send(client, route, rule, url, manager).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.MANAGER])
def test_managers_land_on_the_headline_figures(client, role):
    world = build_world()
    organisation = (
        world.practice.parent.parent if role == Role.COMMISSIONER else world.practice.parent
    )
    client.force_login(user_with_role(role, organisation))
    assert client.get("/").url == reverse("reporting:headlines")
