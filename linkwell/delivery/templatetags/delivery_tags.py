"""The case page's "Messages sent" section: what left Linkwell about this case and what
became of it (delivered to the practice on …, or the error)."""

from django import template

from ..models import Delivery

register = template.Library()


@register.inclusion_tag("delivery/_case.html")
def case_deliveries(case, user):
    """`case` was fetched through `Case.objects.visible_to(user)` by the case page."""
    return {"deliveries": Delivery.objects.visible_to(user).filter(case=case)[:50]}
