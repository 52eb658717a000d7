from django import template

from linkwell.accounts.permissions import Capability, can

register = template.Library()


@register.inclusion_tag("directory/_case_support.html", takes_context=True)
def case_support(context, case):
    """The case page's "Support found" section: the shortlist and the way to find more."""
    user = context["user"]
    return {
        "case": case,
        "can_find": can(user, Capability.FIND_SUPPORT) and case.is_open,
        "shortlist": case.shortlist.select_related("service__organisation", "by"),
    }
