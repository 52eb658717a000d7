"""Reading measures for a user, always scoped through `Administration.objects.visible_to`."""

from itertools import groupby

from django.utils import timezone

from linkwell.accounts.access import visible_or_404

from . import history
from .cohort import CohortChange, paired_change
from .models import Administration, Timepoint
from .services import instrument_for


def for_user(user):
    return Administration.objects.visible_to(user).select_related("case", "asked_by")


def administration_for(user, pk) -> Administration:
    """One administration the user may see, or a 404 that is audited."""
    return visible_or_404(for_user(user), pk, user)


def case_histories(case) -> list[history.History]:
    """Each measure taken on this case (the caller has already checked the case is visible)."""
    taken = (
        Administration.objects.filter(case=case)
        .select_related("asked_by")
        .order_by("instrument", "administered_at", "id")
    )
    return [
        history.build(
            instrument_for(code, include_retired=True),
            list(group),
            label=lambda moment: history.day(timezone.localtime(moment)),
        )
        for code, group in groupby(taken, key=lambda a: a.instrument)
    ]


def cohort_change(user, *, instrument: str, measure: str = "score") -> CohortChange:
    """Baseline against each person's latest later measure (follow-up or discharge), over the
    cases the user may see; only people with both count."""
    definition = instrument_for(instrument, include_retired=True)
    target = definition.measure(measure)
    taken = (
        for_user(user)
        .filter(instrument=definition.code)
        .order_by("case_id", "administered_at", "id")
        .values_list("case_id", "timepoint", "measures")
    )
    pairs = []
    for _, rows in groupby(taken, key=lambda r: r[0]):
        base = latest = None
        for _, timepoint, values in rows:
            value = values.get(target.key)
            if value is None:
                continue
            if timepoint == Timepoint.BASELINE:
                base = value
            elif base is not None:  # only measures taken after the baseline count as change
                latest = value
        if latest is not None:
            pairs.append((base, latest))
    return paired_change(pairs, higher_is_better=target.higher_is_better)


def case_measures(case) -> list[Administration]:
    """A case's administrations, oldest first, each with `.change`: measure key → Change."""
    rows = []
    for h in case_histories(case):
        changes: dict[int, dict] = {}
        for series in h.series:
            for row in series.rows:
                if row.change is not None:
                    changes.setdefault(row.administration.pk, {})[series.measure.key] = row.change
        for administration in {
            r.administration.pk: r.administration for s in h.series for r in s.rows
        }.values():
            administration.change = changes.get(administration.pk, {})
            rows.append(administration)
    return sorted(rows, key=lambda a: (a.administered_at, a.pk))
