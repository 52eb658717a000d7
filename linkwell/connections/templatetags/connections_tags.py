"""The case page's "Connections to services" section, computed here so cases/views.py need
not know about connections."""

from django import template

from linkwell.accounts.permissions import Capability, can

from .. import queries
from ..forms import StatusForm
from ..lifecycle import Status

register = template.Library()

TAG_COLOURS = {
    Status.SENT: "grey",
    Status.ACCEPTED: "blue",
    Status.DECLINED: "red",
    Status.ATTENDED: "green",
    Status.DID_NOT_ATTEND: "orange",
    Status.COMPLETED: "green",
    Status.WITHDRAWN: "grey",
}


@register.inclusion_tag("connections/_case_connections.html")
def case_connections(case, user):
    """`case` was fetched through `Case.objects.visible_to(user)` by the case page."""
    can_manage = can(user, Capability.MANAGE_CASES)
    connections = queries.for_link_worker(user).filter(case=case).order_by("created_at", "id")
    return {
        "case": case,
        "rows": [
            (c, StatusForm(current=c.status, auto_id=f"c{c.pk}-%s") if c.is_open else None)
            for c in connections
        ],
        "can_refer": can_manage and case.is_open,
        "can_manage": can_manage,
    }


@register.simple_tag
def status_tag_colour(status: str) -> str:
    return TAG_COLOURS.get(status, "grey")
