"""One case's timeline: everything that happened on it, newest first, from every app.

An app contributes by offering `linkwell/<app>/timeline.py` with
`events(*, case, user) -> list[Event]`, found by `linkwell.plugins.app_modules` (this module is
the cases app's own contribution: contacts and status changes). Each app reads its own records
through its own `visible_to(user)`, so a timeline never shows what the user may not see, and no
app reaches into another's tables.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import models

from linkwell.plugins import app_modules

from .models import Case, CaseEvent, Contact, ContactMode


class Kind(models.TextChoices):
    """What the link worker can filter the timeline by."""

    CONTACT = "contact", "Contacts"
    STATUS = "status", "Status changes"
    CONNECTION = "connection", "Connections and replies"
    MEASURE = "measure", "Outcome measures"
    CHECKIN = "checkin", "Check-ins"
    MESSAGE = "message", "Messages sent"


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: Kind
    title: str
    detail: str = ""
    by: str = ""

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def name_of(user) -> str:
    """Who did it, as staff know them; empty for the person or the system."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def gather(*, case: Case, user, kinds=()) -> list[Event]:
    """The case's events, newest first; only the `kinds` asked for, or all when none are.

    `case` was fetched through `Case.objects.visible_to(user)`; each app checks again."""
    wanted = set(kinds) or set(Kind)
    found = []
    for module in app_modules("timeline"):
        found.extend(e for e in module.events(case=case, user=user) if e.kind in wanted)
    # Ties (events of the same moment) keep a stable order: by kind, then title.
    return sorted(found, key=lambda e: (e.at, e.kind, e.title), reverse=True)


def events(*, case: Case, user) -> list[Event]:
    """The cases app's part: contacts (and attempts) and status changes."""
    mine = Case.objects.visible_to(user).filter(pk=case.pk)
    contacts = [
        Event(
            at=c.at,
            kind=Kind.CONTACT,
            title=(
                "Tried to make contact — no answer"
                if c.mode == ContactMode.ATTEMPTED
                else f"{c.get_mode_display()} contact, {c.minutes} minutes"
            ),
            detail=c.notes,
            by=name_of(c.by),
        )
        for c in Contact.objects.filter(case__in=mine).select_related("by")
    ]
    changes = [
        Event(
            at=e.at,
            kind=Kind.STATUS,
            title=f"Status: {e.get_to_status_display()}",
            detail=e.note,
            by=name_of(e.by),
        )
        for e in CaseEvent.objects.filter(case__in=mine).select_related("by")
    ]
    return contacts + changes
