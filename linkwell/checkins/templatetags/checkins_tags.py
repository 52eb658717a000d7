"""The case page's "Check-ins" section, computed here so cases/views.py need not know."""

from datetime import timedelta

from django import template
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from linkwell.accounts.permissions import Capability, can
from linkwell.connections.queries import for_link_worker

from ..forms import DueForm
from ..models import CheckIn
from ..sending import channel_for

register = template.Library()


@register.inclusion_tag("checkins/_case_checkins.html", takes_context=True)
def case_checkins(context, case, user):
    """`case` was fetched through `Case.objects.visible_to(user)` by the case page; a refused
    check-in time comes back as the page's `checkin_form`, shown in place of its blank twin."""
    refused = context.get("checkin_form")
    can_manage = can(user, Capability.MANAGE_CASES) and case.is_open
    connections = (
        for_link_worker(user)
        .filter(case=case)
        .prefetch_related(Prefetch("checkins", queryset=CheckIn.objects.select_related("task")))
        .order_by("created_at", "id")
    )
    rows = []
    for connection in connections:
        checkins = list(connection.checkins.all())
        pending = next((c for c in checkins if c.is_pending), None)
        form = None
        if can_manage and connection.is_open:
            later = timezone.now() + timedelta(days=settings.CHECKIN_AGAIN_AFTER_DAYS)
            due = pending.due_at if pending else later
            form = DueForm(initial={"due_at": timezone.localtime(due)}, connection=connection)
            if refused is not None and refused.connection.pk == connection.pk:
                form = refused
        rows.append((connection, checkins, pending, form))
    _, unreachable = channel_for(case.person)
    return {"case": case, "rows": rows, "unreachable": unreachable, "person": case.person}
