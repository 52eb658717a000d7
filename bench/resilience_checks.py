"""What bench_resilience.py checks after the run, from the database and the server's log.

Each check returns report lines and a list of problems (empty when all is well).
"""

import json
import re
from collections import Counter, defaultdict

from resilience_clients import TRANSITION_NOTE


def check_database(writes, duel, duel_outcomes) -> dict:
    from django.db.models import Prefetch

    from linkwell.cases import lifecycle
    from linkwell.cases.models import CarePlan, Case, CaseEvent, Contact, Referral

    problems, lines = [], []

    # Every acknowledged referral exactly once, under its key and with the id we were given.
    rows = defaultdict(list)
    for key, pk in Referral.objects.filter(idempotency_key__startswith="res-").values_list(
        "idempotency_key", "pk"
    ):
        rows[key].append(pk)
    acks = writes["referrals"]
    acked = dict(acks)
    found = sum(1 for key, pk in acked.items() if rows.get(key) == [pk])
    duplicated = [key for key, pks in rows.items() if len(pks) > 1]
    problems += [
        f"acknowledged referral {pk} ({key}) not found once"
        for key, pk in acked.items()
        if rows.get(key) != [pk]
    ]
    problems += [f"{len(pks)} referrals for key {key}" for key, pks in rows.items() if len(pks) > 1]
    if len(acked) != len(acks):
        problems.append("one key was acknowledged with two different ids")
    unacked = len(set(rows) - set(acked))
    lines.append(
        f"referral writes acknowledged {len(acked):,}, found exactly once {found:,}; keys with "
        f"more than one referral: {len(duplicated)}; saved but never acknowledged: {unacked}"
    )

    # Acknowledged contacts and status changes (no idempotency key: never retried) are there.
    contacts = writes["contacts"]
    contacts_found = Contact.objects.filter(pk__in=contacts).count()
    if contacts_found != len(set(contacts)) or len(set(contacts)) != len(contacts):
        problems.append(f"contacts acknowledged {len(contacts)}, found {contacts_found}")
    moves = Counter(writes["transitions"])
    made = Counter(CaseEvent.objects.filter(note=TRANSITION_NOTE).values_list("case_id", flat=True))
    moves_found = sum(min(n, made[case]) for case, n in moves.items())
    if moves_found != moves.total():
        problems.append(f"status changes acknowledged {moves.total()}, found {moves_found}")
    lines.append(
        f"contacts acknowledged {len(contacts):,}, found {contacts_found:,}; status changes "
        f"acknowledged {moves.total():,}, found in the case histories {moves_found:,}"
    )
    caseless = Referral.objects.filter(case__isnull=True).count()
    if caseless:
        problems.append(f"{caseless} referrals without a case")

    # Every case's status replays from its history along the lifecycle table.
    events = Prefetch("events", queryset=CaseEvent.objects.order_by("id"))
    cases = impossible = 0
    for case in Case.objects.prefetch_related(events).iterator(chunk_size=500):
        cases += 1
        fault = _replay_fault(case, list(case.events.all()), lifecycle)
        if fault:
            impossible += 1
            problems.append(f"case {case.pk}: {fault}")
    counts = Counter(Case.objects.values_list("status", flat=True))
    lines.append(
        f"cases checked against their history: {cases:,}, in an impossible state: {impossible} "
        f"({', '.join(f'{s} {n}' for s, n in sorted(counts.items()))})"
    )

    # Optimistic locking: one winner per round, the loser told why, nothing overwritten.
    wins = refused = 0
    for n, round_ in enumerate(duel_outcomes):
        statuses = sorted(a[0] for a in round_["answers"])
        loser = [a for a in round_["answers"] if a[0] == 422]
        message = loser[0][1]["detail"][0]["msg"] if loser else ""
        if (
            round_["versions"][0] == round_["versions"][1]
            and statuses == [200, 422]
            and "changed this plan" in message
        ):
            wins += 1
            refused += 1
        else:
            problems.append(f"care plan round {n}: {statuses} {message!r}")
    plan = CarePlan.objects.get(case_id=duel["case"])
    last = duel_outcomes[-1]
    winner = next(b for b, a in zip(last["bodies"], last["answers"], strict=True) if a[0] == 200)
    if plan.version != 1 + len(duel_outcomes) or plan.summary != winner["summary"]:
        problems.append(f"care plan is version {plan.version}: {plan.summary!r}")
    lines.append(
        f"care plan saved by two editors from one version, {len(duel_outcomes)} rounds: "
        f"one winner {wins}, other refused with 422 {refused}; final version {plan.version}"
    )
    if duel_outcomes and refused:
        lines.append(f"  the refusal reads: {message!r}")
    return {"lines": lines, "problems": problems}


def _replay_fault(case, events, lifecycle) -> str:
    previous = ""
    for e in events:
        if e.from_status != previous:
            return f"event {e.pk} starts from {e.from_status!r}, the case was {previous!r}"
        if previous == "" and e.to_status != lifecycle.Status.RECEIVED:
            return f"history starts at {e.to_status!r}"
        if previous and not lifecycle.allowed(previous, e.to_status):
            return f"event {e.pk} moves {previous} → {e.to_status}, which is not allowed"
        previous = e.to_status
    if previous != case.status:
        return f"status {case.status!r} but the history ends at {previous!r}"
    if (case.closed_at is None) != (case.status in lifecycle.OPEN):
        return f"status {case.status!r} with closed_at {case.closed_at}"
    return ""


def check_log(path, nhs_numbers, postcodes) -> dict:
    """Every line JSON, and none carrying an NHS number, postcode or search term."""
    text = path.read_text()
    raw = text.splitlines()
    not_json = sum(1 for line in raw if not _is_json(line))
    digits = re.compile("|".join(nhs_numbers))
    leaks = [
        line
        for line in raw
        if digits.search(line.replace(" ", "")) or any(p in line for p in postcodes) or "q=" in line
    ]
    requests = sum('"linkwell.request"' in line for line in raw)
    lines = [
        f"server log: {len(raw):,} lines ({requests:,} request lines), not JSON: {not_json}, "
        f"carrying an NHS number, postcode or query string: {len(leaks)}"
    ]
    return {"lines": lines, "problems": [f"identifier in log: {line[:200]}" for line in leaks]}


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True
