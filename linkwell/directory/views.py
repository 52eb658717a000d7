"""Directory pages: find support for a case, search, a service, review and edit. Thin views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from linkwell.accounts import audit
from linkwell.accounts.access import visible_or_404
from linkwell.accounts.decorators import requires
from linkwell.accounts.models import AuditAction
from linkwell.accounts.permissions import Capability, can
from linkwell.cases.models import Case
from linkwell.geo.postcodes import locate
from linkwell.paging import page_number

from . import queries, services
from .forms import FindSupportForm, SearchForm, ServiceForm
from .models import Service
from .records import with_children

PAGE = 20


def _case(request, pk) -> Case:
    cases = Case.objects.visible_to(request.user).select_related("person", "referral")
    return visible_or_404(cases, pk, request.user)


def _from_case(request) -> Case | None:
    """The case a link worker came from to the directory (`?case=` in the query string), so
    its pages can offer "Pick for this person"; someone who may not see it gets a 404."""
    if "case" not in request.GET:
        return None
    if not can(request.user, Capability.FIND_SUPPORT):
        raise Http404("Only link workers pick support for a case.")
    return _case(request, request.GET["case"])


@requires(Capability.FIND_SUPPORT)
def find_support(request, pk):
    case = _case(request, pk)
    form = FindSupportForm(request.GET or None)
    page = page_number(request.GET.get("page"))
    found = services.find_support(
        case=case,
        preferences=form.preferences(),
        text=form.text(),
        offset=(page - 1) * PAGE,
        limit=PAGE,
    )
    found.page = Paginator(range(found.total), PAGE).get_page(page)
    return render(
        request,
        "directory/find_support.html",
        {
            "case": case,
            "person": case.person,
            "form": form,
            "found": found,
            "shortlisted": set(case.shortlist.values_list("service_id", flat=True)),
        },
    )


@require_POST
@requires(Capability.FIND_SUPPORT)
def pick(request, pk):
    case = _case(request, pk)
    service = Service.objects.filter(pk=request.POST.get("service", "")).first()
    if service is None:
        messages.error(request, "Choose a service from the list.")
        return redirect("directory:find_support", pk=case.pk)
    try:
        services.shortlist(
            case=case, service=service, by=request.user, reasons=request.POST.getlist("reason")
        )
    except ValidationError as e:
        messages.error(request, " ".join(sum(e.message_dict.values(), [])))
        return redirect("directory:find_support", pk=case.pk)
    messages.success(request, f"Added {service.name} to the shortlist.")
    return redirect(reverse("cases:case_connections", args=[case.pk]) + "#support")


@login_required
def search(request):
    from_case = _from_case(request)
    form = SearchForm(request.GET or None)
    found, place, note = None, None, ""
    if form.is_valid():
        data = form.cleaned_data
        if data["postcode"]:
            place = locate(data["postcode"])
            if place is None:
                form.add_error("postcode", "We have no location for that postcode.")
            else:
                note = place.note
        if not form.errors:
            page = page_number(request.GET.get("page"))
            matching = queries.filtered(text=data["q"], need=data["need"])
            found = queries.search(
                matching,
                place=place,
                radius_km=float(data["radius"] or 5),
                offset=(page - 1) * PAGE,
                limit=PAGE,
            )
            found.page = Paginator(range(found.total), PAGE).get_page(page)
    return render(
        request,
        "directory/search.html",
        {"form": form, "found": found, "note": note, "from_case": from_case},
    )


@login_required
def service_detail(request, service_id):
    from_case = _from_case(request)
    service = with_children(Service.objects.all()).filter(pk=service_id).first()
    if service is None:
        # An old link (a deleted service, a mistyped id): directory data is not personal, so
        # say so and offer the search rather than a bare 404.
        messages.info(request, "That service is no longer in the directory. Search for another.")
        return redirect("directory:search")
    return render(
        request,
        "directory/service_detail.html",
        {
            "service": service,
            "can_edit": Service.objects.editable_by(request.user).filter(pk=service.pk).exists(),
            "versions": service.versions.select_related("by")[:20],
            "from_case": from_case,
            "picked": from_case is not None
            and from_case.shortlist.filter(service_id=service.pk).exists(),
        },
    )


@login_required
def review(request):
    """Providers: their own services, oldest check first. Everyone else (link workers,
    managers…): every service not verified recently, to check before referring."""
    if can(request.user, Capability.MAINTAIN_SERVICES):
        listed, mine = Service.objects.editable_by(request.user), True
    else:
        listed, mine = Service.objects.live().stale(), False
    listed = listed.select_related("organisation").order_by("last_verified", "name")
    page = Paginator(listed, PAGE).get_page(page_number(request.GET.get("page")))
    return render(request, "directory/review.html", {"page": page, "mine": mine})


def _editable(request, pk) -> Service:
    """A service the user's organisation maintains, or a 404 that is audited (as
    accounts.access.visible_or_404, which takes only numeric ids)."""
    service = Service.objects.editable_by(request.user).filter(pk=pk).first()
    if service is None:
        audit.record(
            user=request.user,
            action=AuditAction.DENIED,
            object_type="directory.service",
            object_id=str(pk)[:50],
        )
        raise Http404("No such service, or your organisation does not maintain it.")
    return service


@require_POST
@requires(Capability.MAINTAIN_SERVICES)
def confirm(request, pk):
    service = services.confirm_service(service=_editable(request, pk), by=request.user)
    messages.success(request, f"Thank you: {service.name} is marked as checked today.")
    return redirect("directory:review")


@requires(Capability.MAINTAIN_SERVICES)
def edit(request, pk):
    service = _editable(request, pk)
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_service(service=service, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Saved. The change is in the service's history.")
            return redirect("directory:service", service_id=service.pk)
    return render(request, "directory/service_form.html", {"form": form, "service": service})
