"""The aggregates behind every report, each defined once as SQL for all three dialects.

A definition takes the dialect and the filters and returns (sql, params); an engine
(`engine.py`) runs it in the database or in DuckDB over the snapshot. They return true counts
grouped by codes and ids; labels, population figures and disclosure control come after.

The SQL is assembled from table names taken from the models, this module's own constants and
`%s` placeholders; every value from a request is a parameter (hence the `nosec B608` marks).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from linkwell.cases.lifecycle import CLOSED
from linkwell.cases.needs import Need
from linkwell.connections.lifecycle import Status as Connection
from linkwell.interop import snomed

from .sql import Dialect, T

Query = tuple[str, list]


@dataclass(frozen=True)
class Filters:
    """What a report covers. `pcn_ids` are already limited to what the user may see."""

    pcn_ids: tuple[int, ...]
    start: datetime  # inclusive, aware
    end: datetime  # exclusive, aware
    practice_id: int | None = None
    link_worker_id: int | None = None


def _in(column: str, values) -> Query:
    values = list(values)
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _scope(f: Filters) -> Query:
    """The organisation, practice and link worker filters, on referral `r` and case `c`."""
    sql, params = _in("r.organisation_id", f.pcn_ids)
    if f.practice_id is not None:
        sql, params = f"{sql} AND r.referring_organisation_id = %s", [*params, f.practice_id]
    if f.link_worker_id is not None:
        sql, params = f"{sql} AND c.link_worker_id = %s", [*params, f.link_worker_id]
    return sql, params


def _case_join(f: Filters) -> str:
    """Referral queries read the case only to filter by link worker: join it only then."""
    return f"JOIN {T.case} c ON c.referral_id = r.id " if f.link_worker_id is not None else ""


def _case_scope(f: Filters) -> tuple[str, str, list]:
    """(join, where, params) for queries on cases `c`: the case carries its PCN, so the
    referral is joined only to filter by referring practice."""
    sql, params = _in("c.organisation_id", f.pcn_ids)
    join = ""
    if f.practice_id is not None:
        join = f"JOIN {T.referral} r ON r.id = c.referral_id "
        sql, params = f"{sql} AND r.referring_organisation_id = %s", [*params, f.practice_id]
    if f.link_worker_id is not None:
        sql, params = f"{sql} AND c.link_worker_id = %s", [*params, f.link_worker_id]
    return join, sql, params


def _referrals(f: Filters, select: str, group: str, extra: str = "", case=False) -> Query:
    """`case`: the select reads the case (a referral without one still counts)."""
    where, params = _scope(f)
    join = (f"LEFT JOIN {T.case} c ON c.referral_id = r.id " if case else _case_join(f)) + extra
    return (
        f"SELECT {select}, COUNT(*) FROM {T.referral} r {join}"  # noqa: S608  # nosec B608
        f"WHERE {where} AND r.received_at >= %s AND r.received_at < %s "
        f"GROUP BY {group} ORDER BY {group}",
        [*params, f.start, f.end],
    )


def referrals_by_month_and_source(d: Dialect, f: Filters) -> Query:
    return _referrals(f, f"{d.month('r.received_at')}, r.source", "1, 2")


def referrals_by_reason(d: Dialect, f: Filters) -> Query:
    """One row: for each need, in `Need` order, the referrals giving it as a reason (a
    referral's reasons are a JSON list of codes; one pass, one LIKE per need)."""

    def pattern(code):
        return '%"' + code.replace("!", "!!").replace("_", "!_").replace("%", "!%") + '"%'

    counts = ", ".join(
        ["SUM(CASE WHEN CAST(r.reasons AS TEXT) LIKE %s ESCAPE '!' THEN 1 ELSE 0 END)"] * len(Need)
    )
    where, params = _scope(f)
    return (
        f"SELECT {counts} FROM {T.referral} r {_case_join(f)}"  # noqa: S608  # nosec B608
        f"WHERE {where} AND r.received_at >= %s AND r.received_at < %s",
        [*map(pattern, Need.values), *params, f.start, f.end],
    )


# Age bands at referral; bounds in days (years × 365.25), so every engine agrees exactly.
AGE_BANDS = [(0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, 84)]


def age_band_label(i: int) -> str:
    return f"{AGE_BANDS[i][0]}–{AGE_BANDS[i][1]}" if i < len(AGE_BANDS) else "85 and over"


def referrals_by_person(d: Dialect, f: Filters) -> Query:
    """Referrals by the person's age band at referral, sex and ethnic category."""
    age = d.days("p.date_of_birth", "r.received_at")
    band = " ".join(
        f"WHEN {age} < {(high + 1) * 365.25} THEN {i}" for i, (_, high) in enumerate(AGE_BANDS)
    )
    return _referrals(
        f,
        f"CASE {band} ELSE {len(AGE_BANDS)} END, p.sex, p.ethnicity",
        "1, 2, 3",
        f"JOIN {T.person} p ON p.id = r.person_id ",
    )


def referrals_by_practice(d: Dialect, f: Filters) -> Query:
    return _referrals(f, "r.referring_organisation_id", "1")


def referrals_by_area_deprivation(d: Dialect, f: Filters) -> Query:
    """Referrals by the IMD quintile of the person's area (their postcode's LSOA; NULL when
    the postcode, its LSOA or the LSOA's IMD is not known) and by referring practice, which
    `sections.population` falls back on."""
    return _referrals(
        f,
        "a.quintile, r.referring_organisation_id",
        "1, 2",
        f"JOIN {T.person} p ON p.id = r.person_id "
        f"LEFT JOIN {T.postcodecentroid} g ON g.postcode = p.postcode "
        f"LEFT JOIN {T.areadeprivation} a ON a.lsoa = g.lsoa ",
    )


def days_to_first_contact(d: Dialect, f: Filters) -> Query:
    """Referrals by whole days to first contact (NULL: not contacted yet)."""
    return _referrals(f, d.days("r.received_at", "c.first_contact_at"), "1", case=True)


def caseload_by_link_worker(d: Dialect, f: Filters) -> Query:
    """Cases open at any time in the period, by link worker (NULL: not allocated)."""
    join, where, params = _case_scope(f)
    return (
        f"SELECT c.link_worker_id, COUNT(*) FROM {T.case} c {join}"  # noqa: S608  # nosec B608
        f"WHERE {where} AND c.opened_at < %s AND (c.closed_at IS NULL OR c.closed_at >= %s) "
        "GROUP BY 1 ORDER BY 1",
        [*params, f.end, f.start],
    )


def contacts_by_link_worker(d: Dialect, f: Filters) -> Query:
    join, where, params = _case_scope(f)
    return (
        f"SELECT c.link_worker_id, COUNT(*) FROM {T.contact} k "  # noqa: S608  # nosec B608
        f"JOIN {T.case} c ON c.id = k.case_id {join}"
        f'WHERE {where} AND k."at" >= %s AND k."at" < %s GROUP BY 1 ORDER BY 1',
        [*params, f.start, f.end],
    )


ACCEPTED = (
    Connection.ACCEPTED,
    Connection.ATTENDED,
    Connection.DID_NOT_ATTEND,
    Connection.COMPLETED,
)
ATTENDED = (Connection.ATTENDED, Connection.COMPLETED)


def _any(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"  # our own enum values


def connections_by_category(d: Dialect, f: Filters) -> Query:
    """Onward referrals made in the period by the service's category (its first taxonomy term
    by name), counting those ever accepted and ever attended (from the status history)."""
    join, where, params = _case_scope(f)
    category = (
        f"(SELECT MIN(t.name) FROM {T.attribute} a JOIN {T.taxonomyterm} t "  # noqa: S608  # nosec B608
        "ON t.id = a.taxonomy_term_id WHERE a.service_id = x.service_id)"
    )
    reached = (
        "SELECT connection_id, "  # noqa: S608  # nosec B608
        f"MAX(CASE WHEN {_any('to_status', ACCEPTED)} THEN 1 ELSE 0 END) AS accepted, "
        f"MAX(CASE WHEN {_any('to_status', ATTENDED)} THEN 1 ELSE 0 END) AS attended "
        f"FROM {T.connectionevent} GROUP BY connection_id"
    )
    return (
        f"SELECT {category}, COUNT(*), "  # noqa: S608  # nosec B608
        f"SUM(CASE WHEN ev.accepted = 1 OR {_any('x.status', ACCEPTED)} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN ev.attended = 1 OR {_any('x.status', ATTENDED)} THEN 1 ELSE 0 END) "
        f"FROM {T.connection} x JOIN {T.case} c ON c.id = x.case_id {join}"
        f"LEFT JOIN ({reached}) ev ON ev.connection_id = x.id "
        f"WHERE {where} AND x.created_at >= %s AND x.created_at < %s GROUP BY 1 ORDER BY 1",
        [*params, f.start, f.end],
    )


def outcome_scores(d: Dialect, f: Filters) -> Query:
    """Scored measures taken before the period's end, in order, for pairing baseline with the
    latest later score (`sections.outcome_change`)."""
    join, where, params = _case_scope(f)
    return (
        "SELECT m.instrument, m.case_id, m.timepoint, m.score, "  # noqa: S608  # nosec B608
        "CASE WHEN m.administered_at >= %s THEN 1 ELSE 0 END "
        f"FROM {T.administration} m JOIN {T.case} c ON c.id = m.case_id {join}"
        f"WHERE {where} AND m.score IS NOT NULL AND m.administered_at < %s "
        "ORDER BY m.instrument, m.case_id, m.administered_at, m.id",
        [f.start, *params, f.end],
    )


def discharges_by_reason(d: Dialect, f: Filters) -> Query:
    """Cases closed in the period, by how they ended (the closing status)."""
    join, where, params = _case_scope(f)
    return (
        f"SELECT c.status, COUNT(*) FROM {T.case} c {join}"  # noqa: S608  # nosec B608
        f"WHERE {where} AND {_any('c.status', sorted(CLOSED))} "
        "AND c.closed_at >= %s AND c.closed_at < %s GROUP BY 1 ORDER BY 1",
        [*params, f.start, f.end],
    )


# The national return: SNOMED CT coded activity per PCN in a month, the events being those
# `linkwell.interop.gp_record` writes back to the GP record (see snomed.py for the sources).
def coded_first_contacts(d: Dialect, f: Filters) -> Query:
    pcns, params = _in("c.organisation_id", f.pcn_ids)
    return (
        'SELECT c.organisation_id, COUNT(*) FROM (SELECT v.case_id, MIN(v."at") AS first_at '  # noqa: S608  # nosec B608
        f"FROM {T.caseevent} v WHERE v.to_status = 'contacted' GROUP BY v.case_id) e "
        f"JOIN {T.case} c ON c.id = e.case_id "
        f"WHERE {pcns} AND e.first_at >= %s AND e.first_at < %s GROUP BY 1 ORDER BY 1",
        [*params, f.start, f.end],
    )


def coded_declines(d: Dialect, f: Filters) -> Query:
    pcns, params = _in("c.organisation_id", f.pcn_ids)
    return (
        f"SELECT c.organisation_id, COUNT(*) FROM {T.caseevent} e "  # noqa: S608  # nosec B608
        f"JOIN {T.case} c ON c.id = e.case_id WHERE {pcns} AND e.to_status = 'declined' "
        'AND e."at" >= %s AND e."at" < %s GROUP BY 1 ORDER BY 1',
        [*params, f.start, f.end],
    )


def coded_physical_activity_referrals(d: Dialect, f: Filters) -> Query:
    pcns, params = _in("c.organisation_id", f.pcn_ids)
    terms, term_params = _in("t.code", sorted(snomed.PHYSICAL_ACTIVITY_TERMS))
    return (
        f"SELECT c.organisation_id, COUNT(*) FROM {T.connectionevent} e "  # noqa: S608  # nosec B608
        f"JOIN {T.connection} x ON x.id = e.connection_id JOIN {T.case} c ON c.id = x.case_id "
        f'WHERE {pcns} AND e.to_status = \'sent\' AND e."at" >= %s AND e."at" < %s AND EXISTS ('
        f"SELECT 1 FROM {T.attribute} a JOIN {T.taxonomyterm} t ON t.id = a.taxonomy_term_id "
        f"WHERE a.service_id = x.service_id AND {terms}) GROUP BY 1 ORDER BY 1",
        [*params, f.start, f.end, *term_params],
    )


AGGREGATES: dict[str, Callable[[Dialect, Filters], Query]] = {
    q.__name__: q
    for q in (
        referrals_by_month_and_source,
        referrals_by_reason,
        referrals_by_person,
        referrals_by_practice,
        referrals_by_area_deprivation,
        days_to_first_contact,
        caseload_by_link_worker,
        contacts_by_link_worker,
        connections_by_category,
        outcome_scores,
        discharges_by_reason,
        coded_first_contacts,
        coded_declines,
        coded_physical_activity_referrals,
    )
}
