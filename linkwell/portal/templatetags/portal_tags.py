"""The case page's "Their own page" section: the language we write to the person in, and
sending them the link to their page. Computed here so cases/views.py need not know."""

from django import template

from linkwell.accounts.permissions import Capability, can

from ..forms import SendPageForm
from ..languages import WELSH, language_code

register = template.Library()


@register.inclusion_tag("portal/_case_person_page.html")
def case_person_page(case, user):
    """`case` was fetched through `Case.objects.visible_to(user)` by the case page."""
    person = case.person
    code = language_code(person.preferred_language)
    form = None
    if can(user, Capability.MANAGE_CASES) and case.is_open and person.erased_at is None:
        form = SendPageForm(person=person, auto_id="page-%s")
    return {
        "case": case,
        "person": person,
        "welsh": code == WELSH,
        "no_translation": code is None,
        "form": form,
        "sent": case.page_links.order_by("-created_at").first(),
    }
