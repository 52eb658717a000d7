"""Demo outcome measures: `linkwell demo` calls `load` after the cases demo.

Cases being supported or discharged get a baseline SWEMWBS and UCLA-3 soon after the first
contact; most discharged cases get a discharge measure with a plausible improvement, and some
supported cases a follow-up. Everything goes through the service, so it is scored and audited
exactly as a real measure. Baselines are centred below the population mean, as in people
referred to social prescribing.
"""

import random
from datetime import timedelta

from django.utils import timezone

from linkwell.cases.lifecycle import Status
from linkwell.cases.models import Case

from .models import Administration, Mode, Timepoint
from .services import record_administration

MODES = [Mode.IN_PERSON, Mode.IN_PERSON, Mode.PHONE, Mode.SELF_COMPLETED]


def _spread(rng: random.Random, total: int, n: int, low: int, high: int) -> list[int]:
    """n answers in low..high adding up to total, the extra points scattered at random."""
    total = max(low * n, min(high * n, total))
    answers = [low] * n
    for _ in range(total - low * n):
        answers[rng.choice([i for i in range(n) if answers[i] < high])] += 1
    return answers


def _take(case, instrument, answers, timepoint, when, rng):
    record_administration(
        case=case,
        instrument=instrument,
        answers=answers,
        timepoint=timepoint,
        mode=rng.choice(MODES),
        by=case.link_worker,
        administered_at=when,
    )


def load(*, seed: int) -> dict[str, int]:
    rng = random.Random(seed + 5)  # noqa: S311 — synthetic demo data, not security
    now = timezone.now()
    cases = (
        Case.objects.filter(status__in=[Status.SUPPORTED, Status.DISCHARGED])
        .select_related("referral", "link_worker")
        .order_by("pk")
    )
    for case in cases:
        start = case.first_contact_at or case.referral.received_at
        end = case.closed_at or now
        baseline_at = min(start + timedelta(days=rng.randint(0, 3), hours=1), end)
        wellbeing = round(rng.gauss(19, 4))  # SWEMWBS raw, 7–35
        lonely = rng.choice([5, 6, 6, 7, 7, 8, 9])  # UCLA-3, 3–9
        _take(
            case, "swemwbs", _spread(rng, wellbeing, 7, 1, 5), Timepoint.BASELINE, baseline_at, rng
        )
        _take(case, "ucla3", _spread(rng, lonely, 3, 1, 3), Timepoint.BASELINE, baseline_at, rng)
        if case.status == Status.DISCHARGED:
            if rng.random() < 0.8:
                later, timepoint = end, Timepoint.DISCHARGE
            else:
                continue
        elif rng.random() < 0.4 and (now - baseline_at).days > 30:
            later, timepoint = baseline_at + (now - baseline_at) * 0.8, Timepoint.FOLLOW_UP
        else:
            continue
        gain = round(rng.gauss(3, 3))
        _take(case, "swemwbs", _spread(rng, wellbeing + gain, 7, 1, 5), timepoint, later, rng)
        eased = lonely - rng.choice([0, 1, 1, 2, 2, 3]) + rng.choice([0, 0, 0, 1])
        _take(case, "ucla3", _spread(rng, eased, 3, 1, 3), timepoint, later, rng)
    return {"administrations": Administration.objects.count()}
