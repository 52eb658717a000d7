"""Every route under /fhir/, from one table (KINDS): the URL patterns, the methods each URL
allows and the CapabilityStatement (capability.py) are all written from it, so what the server
says it does and what it does cannot drift apart.

Each answer is FHIR (fhir_http.py): an unknown type or id, a method a URL does not take,
`_history`, a bad parameter or a CSRF-less session write is an OperationOutcome with its HTTP
status (and `Allow` on 405). Handlers are thin: they parse, call one service and translate.
Authentication as the JSON API: a bearer token (`linkwell token create`) or a signed-in session
(whose writes need the CSRF token, as the web pages'); bearer requests need none.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import path, re_path, reverse
from django.views.decorators.csrf import csrf_exempt

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.accounts.permissions import Capability, require

from . import (
    capability,
    fhir_formats,
    fhir_http,
    fhir_referrals,
    message_back_views,
    referral_views,
    task_search,
    task_updates,
    views,
)
from .fhir_http import NotAllowed
from .fhir_inbound import FhirProblem


@dataclass(frozen=True)
class Write:
    """A create or update: its handler (→ fhir_http.Answer), who may, and how refusals are
    audited."""

    handler: Callable
    need: Capability
    object_type: str
    documentation: str = ""  # for its CapabilityStatement interaction
    conditional: bool = False  # a create that honours If-None-Exist (conditionalCreate)


@dataclass(frozen=True)
class Kind:
    """A resource type and the interactions Linkwell serves for it."""

    type: str
    read: Callable | None = None  # (request, user, pk) → resource
    search: Callable | None = None  # (pairs, user=, base=, strict=) → searchset Bundle
    params: dict = field(default_factory=dict)  # search parameters: name → task_search.Param
    create: Write | None = None
    update: Write | None = None
    profile: str = ""  # the profile its resources claim in meta.profile (fhir_referrals.py)

    @property
    def interactions(self) -> list[str]:
        pairs = [
            ("read", self.read),
            ("search-type", self.search),
            ("create", self.create),
            ("update", self.update),
        ]
        return [code for code, handler in pairs if handler is not None]

    @property
    def type_methods(self) -> list[str]:
        return [m for m, h in (("GET", self.search), ("POST", self.create)) if h is not None]

    @property
    def instance_methods(self) -> list[str]:
        return [m for m, h in (("GET", self.read), ("PUT", self.update)) if h is not None]

    @property
    def slug(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.type).lower()


REFERRAL = Write(
    referral_views.service_request_create,
    Capability.MAKE_REFERRALS,
    "fhir.referral",
    referral_views.RETRIES,
    conditional=True,
)
KINDS = {
    kind.type: kind
    for kind in [
        Kind(
            "Task",
            read=referral_views.task,
            search=task_search.search,
            params=task_search.PARAMS,
            # providers' systems update their own subtasks (task_updates.py)
            update=Write(task_updates.update, Capability.RESPOND_TO_CONNECTIONS, "fhir.task"),
            profile=fhir_referrals.SDOHCC_TASK,
        ),
        Kind(
            "ServiceRequest",
            read=referral_views.service_request,
            create=REFERRAL,
            profile=fhir_referrals.SDOHCC_SERVICE_REQUEST,
        ),
        Kind("Patient", read=referral_views.patient, profile=fhir_referrals.UK_CORE_PATIENT),
        Kind("Consent", read=referral_views.consent),
        Kind("Goal", read=referral_views.goal),
        Kind("QuestionnaireResponse", read=views.questionnaire_response),
        Kind("Observation", read=views.observation),
        Kind("Questionnaire", read=views.questionnaire),
        # the messages back as sent, for GP systems (message_back_views.py)
        Kind(
            "DocumentReference",
            search=message_back_views.search,
            params=message_back_views.PARAMS,
        ),
    ]
}
TRANSACTION = Write(
    referral_views.transaction, Capability.MAKE_REFERRALS, "fhir.referral", referral_views.RETRIES
)
SAFE = {"GET", "HEAD"}
FORMS = {"application/x-www-form-urlencoded", "multipart/form-data"}


def base_url(request) -> str:
    return request.build_absolute_uri(reverse("interop:metadata")).removesuffix("metadata")


def _user(request):
    """The user, or 401; a session's write must also pass the CSRF check (a bearer's need not:
    no browser attaches that header by itself)."""
    user = fhir_http.user_of(request)
    bearer = fhir_http.bearer_token(request) is not None
    if user is None:
        raise fhir_http.Unauthenticated(token_sent=bearer)
    unsafe = request.method not in SAFE and not bearer
    if unsafe and CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}):
        raise FhirProblem("CSRF check failed.", "", status=403, code="forbidden")
    return user


def _answering(view):
    """Negotiate the answer's format, then turn every refusal into an OperationOutcome."""

    @csrf_exempt  # _user checks CSRF itself for session writes, answering in FHIR
    def wrapped(request, *args, **kwargs):
        try:
            mime = fhir_http.answer_format(request)
        except FhirProblem as problem:
            return fhir_http.refusal(problem)
        try:
            return view(request, mime, *args, **kwargs)
        except FhirProblem as problem:
            return fhir_http.refusal(problem, mime=mime)
        except PermissionDenied as e:
            problem = FhirProblem(str(e) or "Forbidden.", "", status=403, code="forbidden")
            return fhir_http.refusal(problem, mime=mime)
        except Http404 as e:
            message = str(e) or "No such resource, or it is not yours to see."
            return fhir_http.refusal(
                FhirProblem(message, "", status=404, code="not-found"), mime=mime
            )

    wrapped.__name__ = view.__name__
    return wrapped


def _write(request, mime: str, write: Write, *args):
    user = _user(request)
    require(user, write.need)
    try:
        if fhir_http.body_format(request) == "xml":
            request._body = fhir_formats.to_json(request.body)
        # One transaction per request: a refusal raised part-way (a retired suggested
        # service, say) rolls back everything, and is audited after the rollback.
        with transaction.atomic():
            answer = write.handler(request, user, *args)
    except FhirProblem as problem:
        audit.record(
            user=user,
            action=AuditAction.DENIED,
            object_type=write.object_type,
            object_id=str(args[0] if args else "")[:50],
            refused=problem.message,
            expression=problem.expression,
        )
        raise
    prefer = fhir_http.return_preference(request)
    return fhir_http.written(answer, base=base_url(request), mime=mime, prefer=prefer)


def _search(request, mime: str, kind: Kind):
    user = _user(request)
    pairs = [(name, value) for name, values in request.GET.lists() for value in values]
    if request.method == "POST":  # POST [type]/_search: parameters in a form body too
        if request.body and request.content_type not in FORMS:
            raise FhirProblem(
                "Send search parameters as application/x-www-form-urlencoded.",
                "",
                status=415,
                code="not-supported",
            )
        pairs += [(name, value) for name, values in request.POST.lists() for value in values]
    # A parameter with no value (status=, or status=,) asks for nothing: it is ignored, and left
    # out of the self link, rather than matching nothing.
    pairs = [(name, value) for name, value in pairs if value.replace(",", "").strip()]
    bundle = kind.search(
        pairs, user=user, base=base_url(request), strict=fhir_http.strict_handling(request)
    )
    return fhir_http.render(bundle, mime=mime)


def _not_allowed(methods: list[str], where: str) -> NotAllowed:
    return NotAllowed(f"{where} answers {', '.join(methods)}.", methods)


@_answering
def system(request, mime):
    """POST [base]: a transaction Bundle with a referral."""
    if request.method != "POST":
        raise NotAllowed("POST a transaction Bundle here.", ["POST"])
    return _write(request, mime, TRANSACTION)


@_answering
def metadata(request, mime):
    if request.method not in SAFE:
        raise NotAllowed("Read the CapabilityStatement with GET.", ["GET"])
    statement = capability.statement(
        base=base_url(request), kinds=KINDS.values(), transaction=TRANSACTION
    )
    return fhir_http.render(statement, mime=mime)


@_answering
def type_level(request, mime, kind):
    kind = KINDS[kind]
    if request.method in SAFE and kind.search:
        return _search(request, mime, kind)
    if request.method == "POST" and kind.create:
        return _write(request, mime, kind.create)
    raise _not_allowed(kind.type_methods, kind.type)


@_answering
def search_level(request, mime, kind):
    """[type]/_search, GET or POST (search.html#Introduction): every searchable type has one,
    whether or not it is also read by id."""
    kind = KINDS[kind]
    if request.method in ("GET", "POST"):
        return _search(request, mime, kind)
    raise NotAllowed(f"Search {kind.type} with GET or POST.", ["GET", "POST"])


@_answering
def instance(request, mime, kind, pk, vid=None):
    kind = KINDS[kind]
    if request.method in SAFE and kind.read:
        user = _user(request)
        resource = kind.read(request, user, pk)
        if vid is not None and (resource.meta is None or resource.meta.versionId != vid):
            raise FhirProblem(
                f"Linkwell keeps only the current version of {kind.type}/{pk}; read it "
                "without _history.",
                "",
                status=404,
                code="not-found",
            )
        if fhir_http.unchanged(request, resource):
            return fhir_http.not_modified(resource)
        return fhir_http.render(resource, mime=mime)
    if request.method == "PUT" and kind.update and vid is None:
        return _write(request, mime, kind.update, pk)
    raise _not_allowed(["GET"] if vid is not None else kind.instance_methods, f"{kind.type}/{pk}")


@_answering
def elsewhere(request, mime, rest):
    """Anything else under /fhir/: an unknown type, or an interaction Linkwell does not serve."""
    if rest.endswith("/") and rest.strip("/"):
        raise FhirProblem(
            f"FHIR addresses end without a slash: {base_url(request)}{rest.rstrip('/')}.",
            "",
            status=404,
            code="not-found",
        )
    name, _, tail = rest.partition("/")
    kind = KINDS.get(name)
    if kind is None:
        raise FhirProblem(
            f"Linkwell serves no resource type {name!r}: see {base_url(request)}metadata.",
            "",
            status=404,
            code="not-supported",
        )
    if "_history" in tail.split("/"):
        message = f"Linkwell keeps no history of {kind.type}: read the current version."
    else:
        message = f"Linkwell serves {', '.join(kind.interactions)} of {kind.type}, not this."
    raise FhirProblem(message, "", status=404, code="not-supported")


def urlpatterns():
    patterns = [
        path("", system, name="transaction"),
        path("metadata", metadata, name="metadata"),
    ]
    for kind in KINDS.values():
        if kind.type_methods:
            patterns.append(
                path(kind.type, type_level, {"kind": kind.type}, name=f"{kind.slug}_type")
            )
        if kind.search:  # before the instance URLs: FHIR ids never start with "_"
            patterns.append(
                path(
                    f"{kind.type}/_search",
                    search_level,
                    {"kind": kind.type},
                    name=f"{kind.slug}_search",
                )
            )
        if not kind.instance_methods:  # searched only (DocumentReference): no instance URL
            continue
        for pattern in (f"{kind.type}/<str:pk>", f"{kind.type}/<str:pk>/_history/<str:vid>"):
            patterns.append(path(pattern, instance, {"kind": kind.type}, name=kind.slug))
    patterns.append(re_path(r"^(?P<rest>.*)$", elsewhere, name="elsewhere"))
    return patterns
