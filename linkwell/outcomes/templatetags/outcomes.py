"""The outcome measures section of the case page, computed here so cases/views.py need not know."""

from django import template

from linkwell.accounts.permissions import Capability, can

from .. import queries

register = template.Library()


@register.inclusion_tag("outcomes/_case_outcomes.html")
def case_outcomes(case, user):
    """`case` has already been fetched through `Case.objects.visible_to(user)` by the page."""
    return {
        "case": case,
        "histories": queries.case_histories(case),
        "can_record": can(user, Capability.MANAGE_CASES),
    }
