"""The dashboard, as a list of sections. A section has a title, a short definition and a
function from (engine, filters) to its tables; adding one to the dashboard, the print page, the
PDF and the exports is appending it to SECTIONS. The definitions are in docs/reporting.md."""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby

from linkwell import standards
from linkwell.cases.lifecycle import CLOSED, Status
from linkwell.cases.models import Case, ReferralSource
from linkwell.cases.needs import Need
from linkwell.outcomes.cohort import paired_change
from linkwell.people.models import Ethnicity, Sex

from . import lookups
from .disclosure import Published
from .queries import AGE_BANDS, Filters, age_band_label
from .tables import Table


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    definition: str
    build: Callable[[object, Filters], list[Table]]


def months(f: Filters) -> list[str]:
    found, day = [], f.start.date().replace(day=1)
    while day < f.end.date():
        found.append(f"{day:%Y-%m}")
        day = (day + timedelta(days=32)).replace(day=1)
    return found


def _column(rows, order, labels) -> tuple[list[str], list[list[int]]]:
    """(code, count) rows → labels and a one-column table in `order`, unknown codes last."""
    counts = Counter({code: n for code, n in rows})
    codes = list(order) + sorted((set(counts) - set(order)), key=str)
    return [labels(c) for c in codes], [[counts.get(c, 0)] for c in codes]


def referrals(engine, f: Filters) -> list[Table]:
    by_month = defaultdict(Counter)
    for month, source, n in engine.run("referrals_by_month_and_source", f):
        by_month[month][source] += n
    spans = months(f)
    sources = list(ReferralSource)
    (per_need,) = engine.run("referrals_by_reason", f)
    reasons, reason_counts = _column(
        zip(Need.values, (n or 0 for n in per_need), strict=True),
        Need.values,
        lambda c: Need(c).label,
    )
    return [
        Table(
            "referrals_by_month",
            "Referrals received by month and source",
            "Month",
            spans,
            [s.label for s in sources],
            [[by_month[m][s.value] for s in sources] for m in spans],
            row_totals=True,
            column_totals=True,
        ),
        Table(
            "referrals_by_reason",
            "Referrals by reason",
            "Reason",
            reasons,
            ["Referrals"],
            reason_counts,
            note="A referral may give more than one reason, so these add up to more than the "
            "number of referrals.",
        ),
    ]


def _person_table(key, caption, heading, rows, index, order, label, registered=None, note=""):
    """Referrals by one of the person's attributes; with `registered` (code → registered
    patients; a code not in it has no denominator) a registered column and the rate too."""
    counts = Counter()
    for row in rows:
        counts[row[index]] += row[3]
    names, cells = _column(counts.items(), order, label)
    if registered is None:
        return Table(key, caption, heading, names, ["Referrals"], cells, column_totals=True)
    codes = list(order) + sorted((set(counts) - set(order)), key=str)
    return Table(
        key,
        caption,
        heading,
        names,
        ["Referrals", "Registered patients"],
        [[n, registered.get(c, 0)] for (n,), c in zip(cells, codes, strict=True)],
        column_totals=True,
        note=note,
        extra=[("Referrals per 1,000 registered", per_thousand(0, 1))],
        not_applicable={(i, 1) for i, c in enumerate(codes) if c not in registered},
    )


def _band_bounds(i: int) -> tuple[int, int | None]:
    return AGE_BANDS[i] if i < len(AGE_BANDS) else (AGE_BANDS[-1][1] + 1, None)


def age_groups() -> list[list[int]]:
    """Linkwell's age bands (indices) as runs that start and end on the five-year bands of the
    registered population: a band that does not (0–17, 18–24) is merged with the next until
    the run does (0–24). The last band is open, like the published 95+."""
    groups, run = [], []
    for i, (_, high) in enumerate(AGE_BANDS):
        run.append(i)
        if (high + 1) % 5 == 0:
            groups, run = [*groups, run], []
    return [*groups, [*run, len(AGE_BANDS)]]


def _group_label(group: list[int]) -> str:
    low, high = _band_bounds(group[0])[0], _band_bounds(group[-1])[1]
    return f"{low}–{high}" if high is not None else f"{low} and over"


def _age_table(rows, registered):
    title = ("referrals_by_age", "Referrals by age band at referral", "Age band")
    bands = range(len(AGE_BANDS) + 1)
    if registered is None:
        return _person_table(*title, rows, 0, bands, age_band_label)
    groups = age_groups()
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    patients = {}
    for g, members in enumerate(groups):
        low, high = _band_bounds(members[0])[0], _band_bounds(members[-1])[1]
        patients[g] = sum(
            n for (_, age), n in registered.items() if low <= age and (high is None or age <= high)
        )
    return _person_table(
        *title,
        [(group_of[age], *rest) for age, *rest in rows],
        0,
        range(len(groups)),
        lambda g: _group_label(groups[g]),
        patients,
        note="Registered patients are published in five-year bands, so the bands 0–17 and "
        "18–24 are shown together as 0–24 beside them.",
    )


def per_thousand(count_column: int, population_column: int):
    def rate(i: int, published: Published) -> str:
        count, population = (
            published.cells[i][count_column],
            published.cells[i][population_column],
        )
        if count is None or not population:
            return "*" if count is None else "–"
        return f"{1000 * count / population:.1f}"

    return rate


def population(engine, f: Filters) -> list[Table]:
    rows = engine.run("referrals_by_person", f)
    by_practice = dict(engine.run("referrals_by_practice", f))
    practices = lookups.practices(f)
    registered = lookups.registered_by_age_sex(practices)
    by_sex = None
    if registered is not None:
        by_sex = {code: 0 for code in (Sex.MALE, Sex.FEMALE)}
        for (sex, _), n in registered.items():
            by_sex[Sex.MALE if sex == "M" else Sex.FEMALE] += n
    quintile_referrals, quintile_patients = Counter(), Counter()
    for p in practices:
        quintile_referrals[p.quintile] += by_practice.get(p.id, 0)
        quintile_patients[p.quintile] += p.registered_patients or 0
    elsewhere = sum(n for pk, n in by_practice.items() if pk not in {p.id for p in practices})
    quintiles = [1, 2, 3, 4, 5, None]
    return [
        _age_table(rows, registered),
        _person_table(
            "referrals_by_sex",
            "Referrals by sex",
            "Sex",
            rows,
            1,
            Sex.values,
            lambda c: Sex(c).label if c in Sex.values else "Not recorded",
            by_sex,
            note="Registered patients are published as male or female only, so the other "
            "categories have no figure to compare with.",
        ),
        _person_table(
            "referrals_by_ethnicity",
            "Referrals by ethnic category",
            "Ethnic category",
            rows,
            2,
            Ethnicity.values,
            lambda c: Ethnicity(c).label if c in Ethnicity.values else "Not recorded",
        ),
        Table(
            "referrals_by_deprivation",
            "Referrals from GP practices compared with their registered patients, by the "
            "practice's deprivation quintile (IMD)",
            "IMD quintile",
            [*map(lookups.quintile_label, quintiles), "Not referred by a GP practice"],
            ["Referrals", "Registered patients"],
            [[quintile_referrals[q], quintile_patients[q]] for q in quintiles] + [[elsewhere, 0]],
            column_totals=True,
            note="The quintile is the referring practice's: the IMD score of its registered "
            "patients' neighbourhoods (Fingertips indicator 93553), ranked over all practices.",
            extra=[("Referrals per 1,000 registered", per_thousand(0, 1))],
        ),
        person_deprivation(engine, f),
        Table(
            "referrals_by_practice",
            "Referrals compared with registered patients, by GP practice",
            "Practice",
            [p.name for p in practices],
            ["Referrals", "Registered patients"],
            [[by_practice.get(p.id, 0), p.registered_patients or 0] for p in practices],
            column_totals=True,
            extra=[("Referrals per 1,000 registered", per_thousand(0, 1))],
        ),
    ]


def person_deprivation(engine, f: Filters) -> Table:
    """Referrals by the person's own IMD quintile: their area's where known, else their
    referring practice's. Counts only: the registered patients are per practice, not per area."""
    rows = engine.run("referrals_by_area_deprivation", f)
    by_practice = lookups.practice_quintiles(
        {practice for area, practice, _ in rows if area is None}
    )
    quintiles, counts = [1, 2, 3, 4, 5], defaultdict(Counter)
    for area, practice, n in rows:
        if area is not None:
            counts[area]["area"] += n
        elif practice in by_practice:
            counts[by_practice[practice]]["practice"] += n
        else:
            counts[None]["unknown"] += n
    bases = ["area", "practice", "unknown"]
    return Table(
        "referrals_by_person_deprivation",
        "Referrals by the deprivation quintile (IMD) of the person's area",
        "IMD quintile",
        [*map(lookups.quintile_label, quintiles), "Not known"],
        ["By the person's area", "By the referring practice", "Not known"],
        [[counts[q][b] for b in bases] for q in [*quintiles, None]],
        row_totals=True,
        column_totals=True,
        note="The quintile of the person's area (the LSOA of their postcode, English indices of "
        "deprivation) where both are known; otherwise their referring practice's; otherwise "
        "not known. Counts only: registered patients are known by practice, not by area, so "
        "the comparison per 1,000 registered is in the table by the practice's quintile.",
    )


WAIT_BANDS = [(0, 7), (8, 14), (15, 28), (29, 56)]


def percentile(histogram: dict[int, int], share: float) -> int:
    """Nearest rank: the smallest value with at least `share` of the observations at or below."""
    needed, seen = share * sum(histogram.values()), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= needed:
            return value
    raise ValueError("empty histogram")


def waiting(engine, f: Filters) -> list[Table]:
    rows = engine.run("days_to_first_contact", f)
    histogram = {d: n for d, n in rows if d is not None}
    not_yet = sum(n for d, n in rows if d is None)
    contacted = sum(histogram.values())
    bands = [sum(n for d, n in histogram.items() if low <= d <= high) for low, high in WAIT_BANDS]
    bands.append(sum(n for d, n in histogram.items() if d > WAIT_BANDS[-1][1]))
    rule = lookups.rule()
    large_enough = contacted > rule.suppress_up_to

    def statistic(share):
        def text(i, published):
            return f"{percentile(histogram, share)} days" if large_enough else "*"

        return text

    return [
        Table(
            "days_to_first_contact",
            "Days from referral to first contact",
            "Referrals",
            ["Contacted"],
            ["Referrals"],
            [[contacted]],
            extra=[("Median", statistic(0.5)), ("90th centile", statistic(0.9))],
            note=f"The median and 90th centile are shown only for more than "
            f"{rule.suppress_up_to} referrals.",
        ),
        Table(
            "first_contact_wait",
            "Referrals by wait for first contact",
            "Wait",
            [f"{low}–{high} days" for low, high in WAIT_BANDS]
            + [f"Over {WAIT_BANDS[-1][1]} days", "Not contacted yet"],
            ["Referrals"],
            [[n] for n in bands] + [[not_yet]],
            column_totals=True,
        ),
    ]


def caseload(engine, f: Filters) -> list[Table]:
    cases = dict(engine.run("caseload_by_link_worker", f))
    contacts = dict(engine.run("contacts_by_link_worker", f))
    workers = sorted(set(cases) | set(contacts), key=lambda pk: (pk is None, pk))
    names = lookups.user_names([pk for pk in workers if pk is not None])
    return [
        Table(
            "caseload",
            "Caseload and contacts per link worker",
            "Link worker",
            [names.get(pk, "Not allocated yet") for pk in workers],
            ["Cases open in the period", "Contacts in the period"],
            [[cases.get(pk, 0), contacts.get(pk, 0)] for pk in workers],
            column_totals=True,
        )
    ]


def connections(engine, f: Filters) -> list[Table]:
    rows = engine.run("connections_by_category", f)
    return [
        Table(
            "connections",
            "Onward referrals to community services by category, and what became of them",
            "Service category",
            [category or "No category" for category, *_ in rows],
            ["Referred", "Accepted", "Attended"],
            [[made, accepted, attended] for _, made, accepted, attended in rows],
            column_totals=True,
        )
    ]


def outcome_pairs(engine, f: Filters) -> dict[str, list[tuple[float, float]]]:
    """Instrument → (baseline, latest later score) per person, where that score falls in the
    period."""
    pairs = defaultdict(list)
    rows = engine.run("outcome_scores", f)
    for (instrument, _), measures in groupby(rows, key=lambda r: (r[0], r[1])):
        base = latest = None
        for *_, timepoint, score, in_period in measures:
            if timepoint == "baseline":
                base, latest = score, None
            elif base is not None:  # only scores after the baseline count as change
                latest = score if in_period else None
        if latest is not None:
            pairs[instrument].append((base, latest))
    return pairs


def improved(code: str, pairs: list[tuple[float, float]]) -> int:
    sign = 1 if lookups.higher_is_better(code) else -1
    return sum(1 for before, after in pairs if (after - before) * sign > 0)


def outcomes(engine, f: Filters) -> list[Table]:
    """Baseline against each person's latest later score, where that score falls in the
    period: change by instrument, with the outcomes app's paired statistics."""
    pairs = outcome_pairs(engine, f)
    rule = lookups.rule()
    codes = sorted(pairs)
    changes = {
        c: paired_change(pairs[c], higher_is_better=lookups.higher_is_better(c)) for c in codes
    }

    def mean_change(i, published):
        change = changes[codes[i]]
        if change.n <= rule.suppress_up_to or change.mean_change is None:
            return "*"
        if change.ci_low is None:
            return f"{change.mean_change:+.1f}"
        return f"{change.mean_change:+.1f} ({change.ci_low:+.1f} to {change.ci_high:+.1f})"

    better = [improved(c, pairs[c]) for c in codes]
    return [
        Table(
            "outcome_change",
            "Change in outcome measures: baseline against the latest later score",
            "Measure",
            [lookups.instrument_name(c) for c in codes],
            ["Improved", "Same or worse"],
            [[up, len(pairs[c]) - up] for up, c in zip(better, codes, strict=True)],
            row_totals=True,
            extra=[("Mean change (95% CI)", mean_change)],
            note=f"People with a baseline and a later score in the period. The mean change is "
            f"shown only for more than {rule.suppress_up_to} people.",
        )
    ]


def discharges(engine, f: Filters) -> list[Table]:
    order = [s for s in Status if s in CLOSED]
    names, counts = _column(
        engine.run("discharges_by_reason", f), [s.value for s in order], lambda c: Status(c).label
    )
    return [
        Table(
            "discharges",
            "Cases closed, by how they ended",
            "Ended as",
            names,
            ["Cases"],
            counts,
            column_totals=True,
            note="Free-text discharge notes are never reported: they could identify someone.",
        )
    ]


def _percent_recorded(i: int, published: Published) -> str:
    recorded, due = published.cells[i]
    if recorded is None or due is None:
        return "*"
    return f"{100 * recorded / due:.0f}%" if due else "–"


def completeness(engine, f: Filters) -> list[Table]:
    # The standard's checks are ORM filters (linkwell.standards), so this section reads the
    # database whichever engine serves the others.
    cases = Case.objects.filter(
        referral__organisation_id__in=f.pcn_ids,
        referral__received_at__gte=f.start,
        referral__received_at__lt=f.end,
    )
    if f.practice_id is not None:
        cases = cases.filter(referral__referring_organisation_id=f.practice_id)
    if f.link_worker_id is not None:
        cases = cases.filter(link_worker_id=f.link_worker_id)
    rows = standards.completeness(cases)
    return [
        Table(
            "standard_completeness",
            "Information Standard items recorded",
            "Item",
            [name for name, _, _ in rows],
            ["Cases recording it", "Cases it applies to"],
            [[recorded, due] for _, recorded, due in rows],
            note="Each item counts only the cases it is due on (docs/standards).",
            extra=[("Recorded", _percent_recorded)],
        )
    ]


SECTIONS: list[Section] = [
    Section("referrals", "Referrals", "Referrals received in the period.", referrals),
    Section(
        "population",
        "Who is referred",
        "Referrals by the person's age, sex and ethnic category, against the registered "
        "patients where their figures are loaded, and referrals from each GP practice against "
        "its registered patients.",
        population,
    ),
    Section(
        "waiting",
        "Waiting for first contact",
        "Whole days from the referral to the first contact, for referrals received in the period.",
        waiting,
    ),
    Section("caseload", "Caseload", "Cases open at any time in the period.", caseload),
    Section(
        "connections",
        "Where people were referred on",
        "Onward referrals made in the period.",
        connections,
    ),
    Section("outcomes", "Outcomes", "Change in outcome measures.", outcomes),
    Section("discharges", "Discharges", "Cases closed in the period.", discharges),
]

# Data quality has its own page: its checks are ORM filters over every case (about 2 s for a
# million), which would take the dashboard past its second.
DATA_QUALITY: list[Section] = [
    Section(
        "completeness",
        "Data completeness",
        "For referrals received in the period, how many cases record each minimum item of the "
        "Social Prescribing Information Standard.",
        completeness,
    ),
]
PAGES = {"dashboard": SECTIONS, "completeness": DATA_QUALITY}
