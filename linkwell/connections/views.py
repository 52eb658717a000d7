"""Pages for onward referrals: referring from a case, the provider portal and the emailed
single-use link. Thin: parse, call a service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from linkwell.accounts import audit
from linkwell.accounts.access import visible_or_404
from linkwell.accounts.decorators import requires
from linkwell.accounts.permissions import Capability
from linkwell.accounts.secrets_store import LinkRefused
from linkwell.cases.models import Case

from . import lifecycle, queries, services
from .forms import ReferForm
from .lifecycle import Status
from .sharing import label


def _case_page(case, anchor="connections"):
    return redirect(reverse("cases:case_connections", args=[case.pk]) + f"#{anchor}")


def _errors(error: ValidationError) -> str:
    return " ".join(sum(error.message_dict.values(), []))


@requires(Capability.MANAGE_CASES)
def refer(request, pk):
    cases = Case.objects.visible_to(request.user).select_related("person", "referral")
    case = visible_or_404(cases, pk, request.user)
    choices = queries.referable_services(case)
    form = ReferForm(
        request.POST or None,
        services=choices,
        initial={"service": request.GET.get("service", "")},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                connection = services.refer(
                    case=case,
                    service=next(s for s in choices if s.pk == data["service"]),
                    shared_details=data["shared_details"],
                    consent_given=data["consent_given"],
                    note=data["note"],
                    first_session_at=data["first_session_at"],
                    wants_reminder=data["wants_reminder"],
                    by=request.user,
                )
            except ValidationError as e:
                form.add_service_error(e)
            else:
                messages.success(request, f"Referral sent to {connection.service.name}.")
                return _case_page(case)
        elif "service" in form.errors:
            services.refused(
                by=request.user,
                person_id=case.person_id,
                error=ValidationError({"service": form.errors["service"]}),
                service=request.POST.get("service", "")[:100],
            )
        status = 422
    return render(
        request,
        "connections/refer.html",
        {"case": case, "person": case.person, "form": form},
        status=status,
    )


@require_POST
@requires(Capability.MANAGE_CASES)
def status(request, pk):
    connection = visible_or_404(queries.for_link_worker(request.user), pk, request.user)
    try:
        services.update_status(
            connection=connection,
            to=request.POST.get("to", ""),
            reason=request.POST.get("reason", ""),
            by=request.user,
            via="case page",
        )
    except ValidationError as e:
        messages.error(request, _errors(e))
    else:
        messages.success(request, f"{connection.service.name}: status changed.")
    return _case_page(connection.case)


@require_POST
@requires(Capability.MANAGE_CASES)
def remind(request, pk):
    connection = visible_or_404(queries.for_link_worker(request.user), pk, request.user)
    sent = services.remind_provider(connection=connection, by=request.user)
    if sent:
        messages.success(request, f"{connection.service.name} has been sent a reminder.")
    else:
        messages.error(request, "This referral is closed, or the service has no email address.")
    return _case_page(connection.case)


@requires(Capability.RESPOND_TO_CONNECTIONS)
def portal(request):
    groups = queries.portal(request.user)
    people = {c.case.person_id: c.case.person for c in groups.shown}
    with transaction.atomic():  # one commit for the page's audit entries, not one each
        for person in people.values():
            audit.record_read(person_id=person.pk, by=request.user, via="provider portal")
    return render(request, "connections/portal.html", {"groups": groups, "page": queries.PAGE})


@requires(Capability.RESPOND_TO_CONNECTIONS)
def provider_referral(request, pk):
    connection = visible_or_404(queries.for_provider(request.user), pk, request.user)
    return render(request, "connections/provider_referral.html", {"c": queries.card(connection)})


@require_POST
@requires(Capability.RESPOND_TO_CONNECTIONS)
def provider_update(request, pk):
    connection = visible_or_404(queries.for_provider(request.user), pk, request.user)
    to = request.POST.get("to", "")
    try:
        services.update_status(
            connection=connection,
            to=to,
            reason=request.POST.get("reason", ""),
            by=request.user,
            via="provider portal",
            provider=True,
        )
    except ValidationError as e:
        messages.error(request, f"{label(connection)}: {_errors(e)}")
    else:
        messages.success(request, f"{label(connection)}: marked as {Status(to).label.lower()}.")
    return redirect(reverse("connections:portal") + f"#connection-{connection.pk}")


def respond(request, token):
    """The emailed single-use link: the shared details and one update, no sign-in."""
    try:
        link = services.check_link(token)
    except LinkRefused as e:
        return _link_refused(request, e)
    connection = link.connection
    if request.method == "POST":
        to = request.POST.get("to", "")
        try:
            services.use_provider_link(token=token, to=to, reason=request.POST.get("reason", ""))
        except LinkRefused as e:
            return _link_refused(request, e)
        except ValidationError as e:
            messages.error(request, _errors(e))
            status_code = 409
        else:
            return render(
                request,
                "connections/link_done.html",
                {"status": Status(to), "more": to not in lifecycle.CLOSED},
            )
    else:
        audit.record_read(person_id=connection.case.person_id, by=None, via="provider email link")
        status_code = 200
    return render(
        request,
        "connections/respond.html",
        {"c": queries.card(connection), "token": token},
        status=status_code,
    )


LINK_REFUSED = {
    "unknown": "This link is not recognised.",
    "used": "This link has already been used, so nothing was changed.",
    "expired": "This link has expired, so nothing was changed.",
}


def _link_refused(request, error: LinkRefused):
    message = LINK_REFUSED[error.reason]
    return render(
        request, "connections/link_refused.html", {"message": message}, status=error.status
    )
