"""The check-in answer page (public, through its single-use link) and the link worker's
control of when to ask. Thin: parse, call a service, render."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.decorators import requires
from linkwell.accounts.permissions import Capability
from linkwell.accounts.secrets_store import LinkRefused
from linkwell.cases.views import case_page_with_form
from linkwell.connections.queries import for_link_worker
from linkwell.portal.languages import public_page, use_person_language

from . import services
from .forms import DueForm
from .models import Answer


@require_POST
@requires(Capability.MANAGE_CASES)
def set_due(request, pk):
    connection = visible_or_404(for_link_worker(request.user), pk, request.user)
    form = DueForm(request.POST, connection=connection)
    if form.is_valid():
        try:
            services.set_due(
                connection=connection, due_at=form.cleaned_data["due_at"], by=request.user
            )
        except services.CheckInError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"{connection.service.name}: check-in time saved.")
            return redirect(
                reverse("cases:case_connections", args=[connection.case_id]) + "#check-ins"
            )
    # Refused: the case page again, with the error by the check-in's own field.
    return case_page_with_form(
        request, connection.case, section="connections", name="checkin_form", form=form
    )


def refused_page(request, error: LinkRefused):
    text = {
        "unknown": _(
            "Check it was copied in full. If it still does not work, contact your link worker."
        ),
        "used": _("You have already answered. Thank you: your link worker has your answer."),
        "expired": _("This link has expired. If you would like to talk, contact your link worker."),
        "case closed": _(
            "Your support from the social prescribing team has ended, so this "
            "question no longer needs an answer. Contact your GP practice if you "
            "would like more help."
        ),
        "referral withdrawn": _(
            "This referral was stopped, so this question no longer needs an "
            "answer. Contact your link worker if you would like to talk."
        ),
    }.get(error.reason, _("Nothing was changed. Please choose one of the answers."))
    return render(
        request,
        "checkins/refused.html",
        {"reason": error.reason, "text": text},
        status=error.status,
    )


@public_page
def answer(request, token):
    """One page, four one-tap answers (POST: a link preview or scanner opening the link with
    GET must not answer for the person)."""
    try:
        checkin = services.open_checkin(token) if request.method != "POST" else None
        if request.method == "POST":
            checkin = services.answer(token=token, answer=request.POST.get("answer", ""))
    except LinkRefused as e:
        person = services.person_for(token)
        if person is not None:
            use_person_language(request, person)
        return refused_page(request, e)
    connection = checkin.connection
    use_person_language(request, connection.case.person)
    context = {
        "checkin": checkin,
        "service": connection.service,
        "first_session_at": connection.first_session_at,
        "answers": Answer.choices,
        "token": token,
    }
    template = "checkins/answered.html" if checkin.answer else "checkins/answer.html"
    return render(request, template, context)
