"""Task search: GET /fhir/Task?… and POST /fhir/Task/_search (FHIR R4 search,
http://hl7.org/fhir/R4/search.html; parameters of http://hl7.org/fhir/R4/task.html#search).

The results are the referrals' Tasks and, after each, its onward referrals' subtasks, newest
referral first, a page at a time (`_count`, and `_offset` in the `next` link). Every parameter
in PARAMS works; the CapabilityStatement is written from PARAMS. A parameter Linkwell does not
know is left out of the `self` link (lenient handling, search.html#errors) or, under
`Prefer: handling=strict`, refused with 400; a modifier Linkwell does not support on a parameter
it knows (`status:not`) is refused either way, since ignoring it would answer the opposite
question. `_summary=count` answers the total alone. Several values separated by commas match
any of them; a parameter given twice must match both times.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Q
from django.utils import timezone

from linkwell.accounts.access import record_id
from linkwell.cases.models import referral_named_by
from linkwell.dates import read_datetime

from . import fhir_referrals, task_queries
from .fhir_inbound import FhirProblem
from .fhir_referrals import CASE_TASK_STATUS, CONNECTION_TASK_STATUS, ODS_CODE

DEFAULT_COUNT = 50
MAX_COUNT = 100
CONNECTION = "connection-"


PATIENT_IDS = (
    "Patient/ID or ID: the PCN's record (for its staff), or referral-ID, the person as that "
    "referral described them (the id a referrer is given)."
)


@dataclass(frozen=True)
class Param:
    type: str  # the FHIR search parameter type (search.html#ptypes)
    documentation: str


PARAMS = {
    "_id": Param("token", "A Task id: the referral's number, or connection-N for a subtask."),
    "status": Param("token", "Task.status: requested, accepted, in-progress, on-hold, …"),
    "patient": Param("reference", f"Task.for: {PATIENT_IDS}"),
    "subject": Param("reference", f"Task.for: {PATIENT_IDS} (the same as patient)"),
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


def refuse_modifier(name: str, params: dict, understood, type_: str) -> None:
    """400 for a modifier not supported on a known parameter (`status:not`, `_id:exact`)."""
    base, colon, modifier = name.partition(":")
    if colon and base in params and name not in understood:
        raise FhirProblem(
            f"{type_} search does not support the modifier :{modifier} on {base}.",
            name,
            status=400,
            code="not-supported",
        )


def summary_count(pairs) -> bool:
    """`_summary=count` (search.html#summary): the total alone, no entries. Other _summary
    values are not supported, so are ignored (or refused under strict handling) as unknown."""
    return ("_summary", "count") in pairs


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


def _tails(values, kind: str) -> list[str]:
    """The IDs of references `Kind/ID`, full URLs ending so, or bare IDs."""
    found = []
    for value in values:
        head, _, tail = value.rpartition("/")
        if head and head.rpartition("/")[2] != kind:
            continue  # another type's reference: matches nothing of this kind
        found.append(tail)
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


def patient_filters(values):
    """Patient/<record id> finds only what its reader sees the record of (the PCN's staff:
    to anyone else a match would say which record their referral was filed on, and so how
    long the PCN has known the person); Patient/referral-<id>, the person as that referral
    described them (fhir_referrals.subject), finds that referral's Tasks."""
    ids = _tails(values, "Patient")
    records = _numbers(ids)
    described = _numbers(filter(None, map(referral_named_by, ids)))
    return (
        Q(sees_record=True, person_id__in=records) | Q(pk__in=described),
        Q(sees_record=True, case__person_id__in=records) | Q(case__referral_id__in=described),
    )


def _based_on(values):
    requests = _numbers(_tails(values, "ServiceRequest"))
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


def _span(text: str) -> tuple[datetime, datetime] | None:
    """The period a search date covers, to its precision (search.html#date): 2026 is the year,
    2026-03 the month, 2026-03-01 the day, 2026-03-01T10:00:00Z that second (or finer, as
    given); None if unreadable."""
    try:
        if re.fullmatch(r"\d{4}", text):
            start = datetime(int(text), 1, 1)
            end = datetime(start.year + 1, 1, 1)
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            start = datetime(int(text[:4]), int(text[5:]), 1)
            end = (start + timedelta(days=31)).replace(day=1)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            start = datetime.combine(date.fromisoformat(text), time.min)
            end = start + timedelta(days=1)
        else:
            start = read_datetime(text)
            clock = re.search(r"T\d{2}:\d{2}(:\d{2}(?:[.,](\d+))?)?", text)
            if start is None or clock is None:
                return None
            digits = len(clock[2] or "")
            step = (
                timedelta(microseconds=10 ** (6 - min(digits, 6)))
                if digits
                else timedelta(seconds=1 if clock[1] else 60)
            )
            end = start + step
    except ValueError:  # shaped right, out of range: 2026-13
        return None
    if timezone.is_naive(start):
        zone = timezone.get_current_timezone()
        start, end = timezone.make_aware(start, zone), timezone.make_aware(end, zone)
    return start, end


def _moment(value: str, name: str) -> tuple[str, datetime, datetime]:
    """A date parameter's prefix and the period its value covers, or FhirProblem 400."""
    prefix = value[:2] if value[:2] in PREFIXES else "eq"
    text = value[2:] if value[:2] in PREFIXES else value
    span = _span(text)
    if span is None:
        raise FhirProblem(
            f"{name} needs a date or date and time, e.g. ge2026-01-31 or "
            f"gt2026-01-31T10:00:00Z, with a prefix {', '.join(PREFIXES)} or none; "
            f"not {value!r}.",
            name,
            status=400,
        )
    return prefix, *span


def _when(field: str, prefix: str, start: datetime, end: datetime) -> Q:
    """The records whose `field` (a moment) falls as the prefix says of the period [start, end):
    eq within it, ne outside, gt after it, ge from its start, lt before it, le by its end."""
    within = Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return {
        "eq": within,
        "ne": ~within,
        "gt": Q(**{f"{field}__gte": end}),
        "ge": Q(**{f"{field}__gte": start}),
        "lt": Q(**{f"{field}__lt": start}),
        "le": Q(**{f"{field}__lt": end}),
    }[prefix]


def _last_updated(values):
    referrals = connections = NOTHING
    for value in values:
        prefix, start, end = _moment(value, "_lastUpdated")
        referrals |= _when("updated", prefix, start, end)
        connections |= _when("status_changed_at", prefix, start, end)
    return referrals, connections


FILTERS = {
    "_id": _id,
    "status": _status,
    "patient": patient_filters,
    "subject": patient_filters,
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
    query, applied, ignored = Query(), [], []
    counting = summary_count(pairs)
    for name, value in pairs:
        if name in CONTROL or name == "_count" or (counting and name == "_summary"):
            continue
        refuse_modifier(name, PARAMS, FILTERS, "Task")
        apply = FILTERS.get(name)
        if apply is None:
            if strict:
                raise FhirProblem(
                    f"Task has no search parameter {name!r}; it has {', '.join(PARAMS)}.",
                    name,
                    status=400,
                    code="not-supported",
                )
            ignored.append(name)
            continue
        values = [v.strip() for v in value.split(",") if v.strip()]
        query.add(*apply(values))
        applied.append((name, value))
    count = _number(pairs, "_count", DEFAULT_COUNT, 1, MAX_COUNT)
    offset = _number(pairs, "_offset", 0, 0, 10_000_000)

    referrals = task_queries.referrals(user).filter(query.referrals)
    connections = task_queries.connections(user).filter(query.connections)
    if counting:
        total = referrals.count() + connections.count()
        self_link = f"{base}Task?{urlencode([*applied, ('_summary', 'count')])}"
        return fhir_referrals.searchset([], base=base, total=total, links={"self": self_link})
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
    return fhir_referrals.searchset(
        resources, base=base, total=len(rows), links=links, ignored=ignored
    )
