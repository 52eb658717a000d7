"""A service's match columns, derived from its ORUK record on every write.

Ranking reads these few columns in one query instead of walking ten child tables per service.
Derived here and only here, from the same record that is stored, so they cannot drift.
"""

import re
from datetime import time

from . import taxonomy
from .oruk import read_time

# iCal RRULE BYDAY codes (RFC 5545 §3.3.10), Monday first; an optional ±n prefix (e.g. 2MO,
# -1FR) picks one occurrence in the month — for matching, any such day counts as that weekday.
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
PARTS = [
    ("morning", time(6), time(12)),
    ("afternoon", time(12), time(17)),
    ("evening", time(17), time(23, 59)),
]

STEP_FREE, HEARING_LOOP, ACCESSIBLE_TOILET = 1, 2, 4
ACCESS_WORDS = [
    (STEP_FREE, re.compile(r"wheelchair|step[- ]free|level access|ramp|lift", re.I)),
    (HEARING_LOOP, re.compile(r"induction loop|hearing loop", re.I)),
    (ACCESSIBLE_TOILET, re.compile(r"accessible toilet|disabled toilet", re.I)),
]
ACCESS_LABELS = {
    STEP_FREE: "Step-free access",
    HEARING_LOOP: "Hearing loop",
    ACCESSIBLE_TOILET: "Accessible toilet",
}
ONLINE_WORDS = re.compile(r"online|video|remote|phone|telephone|zoom|teams", re.I)


def slot(day: int, part: int) -> int:
    return 1 << (day * len(PARTS) + part)


def slot_label(day: int, part: int) -> str:
    return f"{DAY_NAMES[day]} {PARTS[part][0]}s"


def schedule_slots(schedule: dict) -> int:
    """The weekday × part-of-day slots a regular schedule is open in (0 if it does not say)."""
    freq = (schedule.get("freq") or "").upper()
    byday = [BYDAY.match(d.strip().upper()) for d in (schedule.get("byday") or "").split(",")]
    days = sorted({DAYS.index(d[2]) for d in byday if d})
    if not days and freq == "DAILY":
        days = list(range(7))
    try:
        opens = read_time(schedule.get("opens_at")) or time(0)
        closes = read_time(schedule.get("closes_at")) or time(23, 59)
    except ValueError:
        return 0
    value = 0
    for part, (_, start, end) in enumerate(PARTS):
        if opens < end and closes > start:
            for day in days:
                value |= slot(day, part)
    return value


def is_free(record: dict) -> bool | None:
    """Free if every cost option costs nothing (or the fees say so); None when unknown."""
    amounts = [c.get("amount") for c in record.get("cost_options") or []]
    known = [float(a) for a in amounts if a not in (None, "")]
    if known:
        return all(a == 0 for a in known)
    fees = (record.get("fees") or "").lower()
    if "£" in fees:
        return False
    if re.search(r"\bfree\b|no charge", fees):
        return True
    return None


def match_columns(record: dict, term_names: dict[str, tuple[str, str]]) -> dict:
    """The match columns for one ORUK service record.

    `term_names` gives (code, name) for term ids the record refers to without embedding them.
    """
    needs = set()
    for attribute in record.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        term_id = term.get("id") or attribute.get("taxonomy_term_id")
        code, name = (
            (term.get("code"), term.get("name")) if term else term_names.get(term_id, ("", ""))
        )
        needs |= taxonomy.needs_for_term(code or "", name or "")
    open_slots = 0
    online = False
    for schedule in record.get("schedules") or []:
        open_slots |= schedule_slots(schedule)
        online |= bool(ONLINE_WORDS.search(schedule.get("attending_type") or ""))
    in_person = False
    access = 0
    for sal in record.get("service_at_locations") or []:
        location = sal.get("location") or {}
        if location.get("location_type") == "virtual":
            online = True
            continue
        in_person = True
        for entry in location.get("accessibility") or []:
            text = f"{entry.get('description') or ''} {entry.get('details') or ''}"
            for flag, pattern in ACCESS_WORDS:
                if pattern.search(text):
                    access |= flag
    languages = {
        (language.get("name") or language.get("code") or "").strip().lower()
        for language in record.get("languages") or []
    } - {""}
    return {
        "need_mask": taxonomy.mask(needs),
        "open_slots": open_slots,
        "is_free": is_free(record),
        "in_person": in_person,
        "online": online,
        "language_names": "|".join(sorted(languages))[:300],
        "access_flags": access,
    }
