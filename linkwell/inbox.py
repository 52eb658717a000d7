"""The link worker's "Today" inbox, gathered from every app that has something to say.

An app contributes by offering `linkwell/<app>/inbox.py` with
`sections(*, cases, today, since) -> list[Section]`, found by `linkwell.plugins.app_modules`:
`cases` are the open cases the link worker looks after (theirs and the unassigned ones of their
PCNs), `since` is the start of the recent window. The delivery outbox adds the same way, with
no change here, the messages that failed this week and the messages back the practice has not
answered (linkwell/delivery/inbox.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from linkwell.plugins import app_modules

RECENT_DAYS = 7  # answers, replies and referrals that arrived in the last week
SHOWN = 50  # rows listed per section; the count says how many there are in all


@dataclass(frozen=True)
class Entry:
    at: date | datetime
    case_id: int
    person: str
    text: str
    anchor: str = ""  # where on the case's page it is dealt with, e.g. "tasks"
    page: str = "cases:case"  # the URL name of that page of the case (cases.views.SECTIONS)
    flag: str = ""  # a word or two shown as a red tag when it needs the link worker soon

    @property
    def has_time(self) -> bool:
        return isinstance(self.at, datetime)


@dataclass
class Section:
    key: str
    title: str
    empty: str
    rows: QuerySet
    entry: Callable[[object], Entry]

    def count(self) -> int:
        return self.rows.count()

    def entries(self) -> list[Entry]:
        return [self.entry(row) for row in self.rows[:SHOWN]]


def sections(user) -> list[Section]:
    from linkwell.cases.queries import looked_after_by

    today = timezone.localdate()
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    cases = looked_after_by(user)
    found = []
    for module in app_modules("inbox"):
        found.extend(module.sections(cases=cases, today=today, since=since))
    return found


def count(user) -> int:
    return sum(section.count() for section in sections(user))


def header_count(request) -> dict:
    """Context processor: the inbox's count for the header, counted only if a page shows it."""
    from linkwell.accounts.permissions import Capability, can

    user = request.user
    if not can(user, Capability.MANAGE_CASES):
        return {}
    return {"inbox_count": SimpleLazyObject(lambda: count(user))}
