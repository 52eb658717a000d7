"""The case page's "Messages sent" section: what left Linkwell about this case and what
became of it (delivered to the practice on …, no reply from the practice, or the error)."""

from django import template

from linkwell.accounts.permissions import Capability, can

from ..models import Delivery
from ..queries import awaiting_among

register = template.Library()


@register.inclusion_tag("delivery/_case.html")
def case_deliveries(case, user):
    """`case` was fetched through `Case.objects.visible_to(user)` by the case page."""
    deliveries = Delivery.objects.visible_to(user).filter(case=case)
    return {
        "deliveries": deliveries.select_related("acknowledged_by")[:50],
        "awaiting": awaiting_among(deliveries),
        "can_manage": can(user, Capability.MANAGE_CASES),
    }
