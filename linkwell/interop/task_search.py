"""Task search: GET /fhir/Task?… and POST /fhir/Task/_search (FHIR R4 search,
http://hl7.org/fhir/R4/search.html; parameters of http://hl7.org/fhir/R4/task.html#search).

The results are the referrals' Tasks and, after each, its onward referrals' subtasks, newest
referral first, a page at a time (`_count`, and `_offset` in the `next` link). Every parameter
in PARAMS works; the CapabilityStatement is written from PARAMS. A parameter Linkwell does not
know is left out of the `self` link (lenient handling, search.html#errors) or, under
`Prefer: handling=strict`, refused with 400. Several values separated by commas match any of
them; a parameter given twice must match both times.
"""

from dataclasses import dataclass
from datetime import datetime, time
from urllib.parse import urlencode

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from linkwell.accounts.access import record_id

from . import fhir_referrals, task_queries
from .fhir_inbound import FhirProblem
from .fhir_referrals import CASE_TASK_STATUS, CONNECTION_TASK_STATUS, ODS_CODE

DEFAULT_COUNT = 50
MAX_COUNT = 100
CONNECTION = "connection-"


@dataclass(frozen=True)
class Param:
    type: str  # the FHIR search parameter type (search.html#ptypes)
    documentation: str


PARAMS = {
    "_id": Param("token", "A Task id: the referral's number, or connection-N for a subtask."),
    "status": Param("token", "Task.status: requested, accepted, in-progress, on-hold, …"),
    "patient": Param("reference", "Task.for: Patient/ID or ID."),
    "subject": Param("reference", "Task.for: Patient/ID or ID (the same as patient)."),
    "based-on": Param("reference", "Task.basedOn: ServiceRequest/ID or ID."),
    "owner": Param(
        "reference",
        "Task.owner: HealthcareService/ID (a subtask's directory service), or with "
        ":identifier the PCN's ODS code (https://fhir.nhs.uk/Id/ods-organization-code|CODE).",
    ),
    "_lastUpdated": Param("date", "meta.lastUpdated, with a prefix eq, ne, gt, ge, lt or le."),
    "_count": Param("number", f"Tasks per page, 1–{MAX_COUNT} (default {DEFAULT_COUNT})."),
}
# Understood everywhere but not filters: the answer format and the page a `next` link names.
CONTROL = {"_format", "_offset"}
PREFIXES = ("eq", "ne", "gt", "ge", "lt", "le")


class Query:
    """Filters for both kinds of Task, built one parameter at a time."""

    def __init__(self):
        self.referrals = Q()
        self.connections = Q()

    def add(self, referrals: Q, connections: Q) -> None:
        self.referrals &= referrals
        self.connections &= connections


NOTHING = Q(pk__in=[])


def _numbers(values) -> list[int]:
    """The record numbers among `values` (record_id: "²" or a number past bigint names none)."""
    return [pk for pk in map(record_id, values) if pk is not None]


def _ids(values, kind: str) -> list[int]:
    """Record numbers of references `Kind/ID`, full URLs ending so, or bare IDs."""
    found = []
    for value in values:
        head, _, tail = value.rpartition("/")
        if head and head.rpartition("/")[2] != kind:
            continue  # another type's reference: matches nothing of this kind
        found += _numbers([tail])
    return found


def _id(values):
    referrals = _numbers(values)
    connections = _numbers(v.removeprefix(CONNECTION) for v in values if v.startswith(CONNECTION))
    return Q(pk__in=referrals), Q(pk__in=connections)


def _status(values):
    known = set(CASE_TASK_STATUS.values()) | set(CONNECTION_TASK_STATUS.values())
    for value in values:
        if value not in known:
            raise FhirProblem(f"Unknown Task status {value!r}.", "status", status=400)
    referrals = NOTHING
    for value in values:
        cases = [c for c, t in CASE_TASK_STATUS.items() if t == value]
        if value == "accepted":  # …until a service is taken up (fhir_referrals.task_status)
            referrals |= Q(case__status__in=cases, under_way=False)
        elif value == "in-progress":
            accepted = [c for c, t in CASE_TASK_STATUS.items() if t == "accepted"]
            referrals |= Q(case__status__in=cases) | Q(case__status__in=accepted, under_way=True)
        else:
            referrals |= Q(case__status__in=cases)
    connections = Q(status__in=[c for c, t in CONNECTION_TASK_STATUS.items() if t in values])
    return referrals, connections


def _patient(values):
    people = _ids(values, "Patient")
    return Q(person_id__in=people), Q(case__person_id__in=people)


def _based_on(values):
    requests = _ids(values, "ServiceRequest")
    return Q(pk__in=requests), Q(case__referral_id__in=requests)


def _owner(values):
    """Subtasks by their directory service; a PCN's Tasks are found with owner:identifier."""
    services = [v.removeprefix("HealthcareService/") for v in values]
    return NOTHING, Q(service_id__in=[s for s in services if "/" not in s])


def _owner_identifier(values):
    codes = []
    for value in values:
        system, bar, code = value.rpartition("|")
        if bar and system and system != ODS_CODE:
            continue  # another identifier system: no Linkwell owner has it
        codes.append(code.strip().upper())
    return Q(organisation__ods_code__in=codes), NOTHING


def _moment(value: str, name: str) -> tuple[str, datetime]:
    prefix = value[:2] if value[:2] in PREFIXES else "eq"
    text = value[2:] if value[:2] in PREFIXES else value
    when = parse_datetime(text)
    if when is None and parse_date(text) is not None:
        when = datetime.combine(parse_date(text), time.min)
    if when is None:
        raise FhirProblem(
            f"{name} needs a date or date and time, e.g. ge2026-01-31 or "
            f"gt2026-01-31T10:00:00Z, not {value!r}.",
            name,
            status=400,
        )
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_current_timezone())
    return prefix, when


def _last_updated(values):
    referrals = connections = NOTHING
    lookup = {"eq": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
    for value in values:
        prefix, when = _moment(value, "_lastUpdated")
        if prefix == "ne":
            referrals |= ~Q(updated=when)
            connections |= ~Q(status_changed_at=when)
        else:
            referrals |= Q(**{f"updated__{lookup[prefix]}": when})
            connections |= Q(**{f"status_changed_at__{lookup[prefix]}": when})
    return referrals, connections


FILTERS = {
    "_id": _id,
    "status": _status,
    "patient": _patient,
    "subject": _patient,
    "based-on": _based_on,
    "owner": _owner,
    "owner:identifier": _owner_identifier,
    "_lastUpdated": _last_updated,
}


def _number(pairs, name: str, default: int, low: int, high: int) -> int:
    values = [v for n, v in pairs if n == name]
    if not values:
        return default
    text = values[-1]
    # ASCII digits only: "²" is a digit to str.isdigit but not to int(); and short enough
    # for int() (which refuses over 4300 digits) and any bound here.
    if not (text.isascii() and text.isdigit() and len(text) <= 19) or not (
        low <= int(text) <= high
    ):
        raise FhirProblem(f"{name} must be a whole number from {low} to {high}.", name, status=400)
    return int(text)


def search(pairs: list[tuple[str, str]], *, user, base: str, strict: bool):
    """The searchset Bundle for these (name, value) parameters, or FhirProblem 400."""
    query, applied = Query(), []
    for name, value in pairs:
        if name in CONTROL or name == "_count":
            continue
        apply = FILTERS.get(name)
        if apply is None:
            if strict:
                raise FhirProblem(
                    f"Task has no search parameter {name!r}; it has {', '.join(PARAMS)}.",
                    name,
                    status=400,
                    code="not-supported",
                )
            continue
        values = [v.strip() for v in value.split(",") if v.strip()]
        query.add(*apply(values))
        applied.append((name, value))
    count = _number(pairs, "_count", DEFAULT_COUNT, 1, MAX_COUNT)
    offset = _number(pairs, "_offset", 0, 0, 10_000_000)

    referrals = task_queries.referrals(user).filter(query.referrals)
    connections = task_queries.connections(user).filter(query.connections)
    # Order every match by its referral, newest first, each subtask after its main Task; only
    # keys are read here, the page's rows after. Row: (received, referral, 0 main | 1 sub, pk).
    rows = [(when, pk, 0, pk) for pk, when in referrals.values_list("pk", "received_at")]
    rows += [
        (when, referral, 1, pk)
        for pk, referral, when in connections.values_list(
            "pk", "case__referral_id", "case__referral__received_at"
        )
    ]
    rows.sort(key=lambda k: (-k[0].timestamp(), -k[1], k[2], k[3]))
    page = rows[offset : offset + count]
    main = {r.pk: r for r in referrals.filter(pk__in=[k[3] for k in page if k[2] == 0])}
    subtasks = connections.filter(pk__in=[k[3] for k in page if k[2] == 1])
    subtasks = {c.pk: c for c in subtasks.select_related("case__referral")}
    resources = [
        fhir_referrals.referral_task(main[k[3]])
        if k[2] == 0
        else fhir_referrals.connection_task(subtasks[k[3]])
        for k in page
    ]

    def link(at: int) -> str:
        return f"{base}Task?{urlencode([*applied, ('_count', count), ('_offset', at)])}"

    links = {"self": link(offset), "first": link(0)}
    if offset + count < len(rows):
        links["next"] = link(offset + count)
    if offset > 0:
        links["previous"] = link(max(0, offset - count))
    return fhir_referrals.searchset(resources, base=base, total=len(rows), links=links)
