"""Web pages for link workers and referrers. Thin: parse, call a service, render."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from linkwell import inbox
from linkwell.accounts import permissions
from linkwell.accounts.access import visible_or_404
from linkwell.accounts.decorators import requires
from linkwell.accounts.permissions import Capability, can
from linkwell.paging import page_number
from linkwell.people.duplicates import likely_duplicates
from linkwell.standards.gaps import missing

from . import forms, queries, services, timeline
from .lifecycle import Status
from .models import CarePlan, Case, ContactMode, Goal, GoalStatus, Task


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    # Managers and commissioners land on the headline figures (docs/decisions/0006).
    if can(request.user, Capability.VIEW_REPORTS):
        return redirect("reporting:headlines")
    if can(request.user, Capability.VIEW_CASELOAD):
        return redirect("cases:caseload")
    if can(request.user, Capability.TRACK_OWN_REFERRALS):
        return redirect("cases:referrals")
    if can(request.user, Capability.RESPOND_TO_CONNECTIONS):
        return redirect("connections:portal")
    if can(request.user, Capability.READ_AUDIT):
        return redirect("accounts:audit")
    return render(request, "cases/no_role.html")


def _caseload_page(request, bulk_form=None, status=200):
    """The caseload for the query string's search, filters, sort and section pages."""
    q = request.GET.get("q", "")[:100]
    mine = request.GET.get("mine") == "1"
    status_filter = request.GET.get("status", "")
    sort = request.GET.get("sort", "")
    data = queries.caseload(
        request.user,
        q=q,
        mine=mine,
        status=status_filter,
        sort=sort,
        pages={key: page_number(request.GET.get(f"{key}_page")) for key in queries.SECTION_KEYS},
    )
    for section in data.sections:
        section.previous_query = _page_query(request, section, "previous_page_number")
        section.next_query = _page_query(request, section, "next_page_number")
    can_manage = can(request.user, Capability.MANAGE_CASES)
    if can_manage and bulk_form is None:
        bulk_form = _bulk_form(request)
    context = {
        "caseload": data,
        "q": q,
        "mine": mine,
        "status": status_filter,
        "statuses": Status.choices,
        "sort": data.sort,
        "sorts": queries.Sort.choices,
        "bulk_form": bulk_form if can_manage else None,
        # The open cases' rows each offer a quick contact (inside the bulk form's table).
        "contact_modes": ContactMode.choices,
        "quick_contact_sections": [data.new_referrals, data.active_cases],
    }
    template = (
        "cases/_caseload_results.html"
        if request.headers.get("HX-Request")
        else "cases/caseload.html"
    )
    return render(request, template, context, status=status)


def _page_query(request, section, which: str) -> str:
    """The query string of the section's previous or next page, keeping everything else."""
    has = section.page.has_previous if which == "previous_page_number" else section.page.has_next
    if not has():
        return ""
    params = request.GET.copy()
    params[section.param] = getattr(section.page, which)()
    return params.urlencode()


def _bulk_form(request, data=None):
    return forms.BulkForm(
        data,
        cases=Case.objects.visible_to(request.user),
        link_workers=queries.link_workers_for(request.user),
    )


@requires(Capability.VIEW_CASELOAD)
def caseload(request):
    return _caseload_page(request)


@require_POST
@requires(Capability.MANAGE_CASES)
def caseload_bulk(request):
    """Assign or close the cases ticked on the caseload, all or none."""
    form = _bulk_form(request, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        chosen = list(d["cases"])
        try:
            if d["action"] == form.ASSIGN:
                services.assign_many(cases=chosen, link_worker=d["link_worker"], by=request.user)
                done = f"Assigned {len(chosen)} to {d['link_worker'].get_full_name()}."
            else:
                services.close_many(cases=chosen, to=d["to"], note=d["note"], by=request.user)
                done = f"Closed {len(chosen)} as {Status(d['to']).label.lower()}."
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, done)
            return redirect(reverse("cases:caseload") + _query(request))
    return _caseload_page(request, bulk_form=form, status=422)


def _query(request) -> str:
    return f"?{request.GET.urlencode()}" if request.GET else ""


@requires(Capability.MAKE_REFERRALS)
def referral_new(request):
    user = request.user
    destinations = permissions.referral_destinations(user)
    if not destinations:
        raise Http404("You are not in an organisation that can refer to a PCN.")
    can_choose_source = can(user, Capability.MANAGE_CASES)
    form = forms.ReferralForm(
        request.POST or None, destinations=destinations, can_choose_source=can_choose_source
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral, _ = services.make_referral(
                **form.where(),
                person=form.person_details(),
                source=data.get("source", ""),
                reasons=data["reasons"],
                consent_given=data["consent_given"],
                details=data["details"],
                urgency=data["urgency"],
                referrer_contact=data["referrer_contact"],
                referring_organisation_name=data.get("referring_organisation_name", ""),
                by=user,
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            # Named as the referrer wrote it: a referrer never sees the PCN's record.
            messages.success(request, f"Referral sent for {referral.as_referred.full_name}.")
            if can(user, Capability.VIEW_CASELOAD):
                return redirect("cases:case", pk=referral.case.pk)
            return redirect("cases:referral", pk=referral.pk)
    return render(request, "cases/referral_form.html", {"form": form})


@requires(Capability.TRACK_OWN_REFERRALS)
def referrals(request):
    return render(
        request,
        "cases/referral_list.html",
        {"referrals": queries.referrals_for(request.user)[:200]},
    )


@requires(Capability.TRACK_OWN_REFERRALS)
def referral_detail(request, pk):
    referral = visible_or_404(queries.referrals_for(request.user), pk, request.user)
    return render(request, "cases/referral_detail.html", {"referral": referral})


RECENT_EVENTS = 5  # on the case's summary; the timeline page has the rest

# The pages of a case, each under the shared header: section -> (URL name, title). Other apps
# name these URLs to send a link worker back to the page their section is shown on.
SECTIONS = {
    "summary": ("cases:case", "Summary"),
    "plan": ("cases:case_plan", "Care plan"),
    "connections": ("cases:case_connections", "Connections"),
    "measures": ("cases:case_measures", "Measures"),
    "message-back": ("cases:case_message_back", "Message back"),
}
CASE_PAGES = [(key, url_name, title) for key, (url_name, title) in SECTIONS.items()]


TIMELINE = "timeline"  # the one page with the header that is not built by _case_page


def _section_url(case, section: str) -> str:
    name = "cases:case_timeline" if section == TIMELINE else SECTIONS[section][0]
    return reverse(name, args=[case.pk])


def _case_page(request, case, section="summary", bound=None, status=200):
    """A page of the case; `bound` is a form with errors to show in place of its blank twin."""
    case = (
        Case.objects.select_related("person", "referral__referring_organisation", "link_worker")
        .prefetch_related(
            "contacts__by",
            "what_matters",
            Prefetch("tasks", queryset=Task.objects.order_by("done_at", "due_on")),
        )
        .get(pk=case.pk)
    )
    plan = CarePlan.objects.filter(case=case).first()
    goals = plan.goals.prefetch_related("actions") if plan else []
    blank = {
        "contact_form": forms.ContactForm(),
        "what_matters_form": forms.WhatMattersForm(),
        "plan_form": forms.CarePlanForm(
            initial={"summary": plan.summary, "review_on": plan.review_on, "version": plan.version}
            if plan
            else None
        ),
        "goal_form": forms.GoalForm(),
        "task_form": forms.TaskForm(),
        "follow_up_form": forms.FollowUpAdviceForm(
            initial={"follow_up_advice": case.follow_up_advice}
        ),
        "address_form": forms.AddressForm(
            initial={"address": case.person.address, "postcode": case.person.postcode}
        ),
        "gp_practice_form": forms.GpPracticeForm(
            initial={"gp_practice_code": case.person.gp_practice_code}
        ),
        "risk_form": forms.RiskForm(),
    }
    if bound is not None:
        blank[bound[0]] = bound[1]
    can_manage = can(request.user, Capability.MANAGE_CASES)
    return render(
        request,
        "cases/case_detail.html",
        {
            **_header_context(request, case, section, bound=bound),
            "section_template": f"cases/_page_{section.replace('-', '_')}.html",
            "plan": plan,
            "goals": goals,
            "goal_statuses": GoalStatus.choices,
            **(_summary_context(request, case, can_manage) if section == "summary" else {}),
            **blank,
        },
        status=status,
    )


def _summary_context(request, case, can_manage: bool) -> dict:
    """What only the summary shows: warnings and the latest events."""
    return {
        "duplicates": likely_duplicates(case.person) if can_manage else [],
        "standard_gaps": missing(case),
        "recent": timeline.gather(case=case, user=request.user)[:RECENT_EVENTS],
    }


def _header_context(request, case, section: str, *, bound=None) -> dict:
    """What the header every page of a case shows needs: who, how they are, which page this is,
    and the quick contact and status forms (a refused one in place of its blank twin)."""
    # Back here after a quick contact; a page answering a refused form is not a place to return to.
    here = request.get_full_path() if request.method == "GET" else _section_url(case, section)
    header_forms = {
        "quick_contact_form": forms.QuickContactForm(initial={"next": here}),
        "transition_form": forms.TransitionForm(current=case.status),
    }
    if bound is not None and bound[0] in header_forms:
        header_forms[bound[0]] = bound[1]
    return {
        "case": case,
        "person": case.person,
        "header": queries.header(case),
        "section": section,
        "case_pages": CASE_PAGES,
        "section_title": SECTIONS[section][1] if section in SECTIONS else "",
        "can_manage": can(request.user, Capability.MANAGE_CASES),
        **header_forms,
    }


@requires(Capability.VIEW_CASELOAD)
def case_timeline(request, pk):
    """Everything that happened on the case, newest first, filtered by kind (a GET form)."""
    case = visible_or_404(
        Case.objects.visible_to(request.user).select_related("person", "link_worker"),
        pk,
        request.user,
    )
    return _timeline_page(request, case)


def _timeline_page(request, case, bound=None, status=200):
    form = forms.TimelineFilterForm(request.GET or None)
    kinds = form.cleaned_data["kind"] if form.is_valid() else ()
    return render(
        request,
        "cases/case_timeline.html",
        {
            **_header_context(request, case, TIMELINE, bound=bound),
            "filter_form": form,
            "events": timeline.gather(case=case, user=request.user, kinds=kinds),
            "filtered": bool(kinds),
        },
        status=400 if form.errors else status,
    )


def _refused(request, case, section: str, bound):
    """The page of the case `section` names again, showing the refused form `bound`."""
    if section == TIMELINE:
        return _timeline_page(request, case, bound=bound, status=422)
    return _case_page(request, case, section, bound=bound, status=422)


@require_POST
@requires(Capability.MANAGE_CASES)
def quick_contact(request, pk):
    """Record a contact in one step and go back where the worker was (caseload or case)."""
    case = visible_or_404(Case.objects.visible_to(request.user), pk, request.user)
    form = forms.QuickContactForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            contact = services.record_quick_contact(
                case=case, mode=d["mode"], minutes=d["minutes"], notes=d["notes"], by=request.user
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(
                request,
                f"Contact recorded for {case.person.full_name}: {contact.get_mode_display()}.",
            )
            return redirect(_back_to(request, d["next"], case))
    section = _section_of(form.data.get("next", ""), case)
    return _refused(request, case, section, ("quick_contact_form", form))


def _back_to(request, target: str, case) -> str:
    """`target` when it is a page of this site (the caseload, a page of the case), else the
    case's summary."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return _section_url(case, "summary")


def _section_of(target: str, case) -> str:
    """The page of this case `target` names, so a refused form is shown where it was sent from;
    the summary when it names another page (the caseload, say)."""
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return "summary"
    if match.kwargs.get("pk") != case.pk:
        return "summary"
    if match.view_name == "cases:case_timeline":
        return TIMELINE
    return match.kwargs.get("section", "summary")


def case_page_with_form(request, case, *, section: str, name: str, form):
    """The page `section` of the case showing another app's refused form, `name` in its
    context, by its fields."""
    return _case_page(request, case, section, bound=(name, form), status=422)


@requires(Capability.VIEW_CASELOAD)
def case_detail(request, pk, section):
    case = visible_or_404(Case.objects.visible_to(request.user), pk, request.user)
    return _case_page(request, case, section)


# Each action on a case: the form that parses it, the name the page gives that form, the
# service call that performs it, and the page of the case it is on.
CASE_ACTIONS = {
    "contact": (
        forms.ContactForm,
        "contact_form",
        lambda case, d, by: services.record_contact(case=case, by=by, **d),
        "summary",
    ),
    "what-matters": (
        forms.WhatMattersForm,
        "what_matters_form",
        lambda case, d, by: services.record_what_matters(case=case, by=by, **d),
        "plan",
    ),
    "care-plan": (
        forms.CarePlanForm,
        "plan_form",
        lambda case, d, by: services.agree_care_plan(case=case, by=by, **d),
        "plan",
    ),
    "goal": (
        forms.GoalForm,
        "goal_form",
        lambda case, d, by: services.add_goal(case=case, by=by, **d),
        "plan",
    ),
    "task": (
        forms.TaskForm,
        "task_form",
        lambda case, d, by: services.add_task(case=case, by=by, **d),
        "summary",
    ),
    "follow-up-advice": (
        forms.FollowUpAdviceForm,
        "follow_up_form",
        lambda case, d, by: services.record_follow_up_advice(case=case, by=by, **d),
        "message-back",
    ),
    "address": (
        forms.AddressForm,
        "address_form",
        lambda case, d, by: services.record_address(case=case, by=by, **d),
        "summary",
    ),
    "gp-practice": (
        forms.GpPracticeForm,
        "gp_practice_form",
        lambda case, d, by: services.record_gp_practice(case=case, by=by, **d),
        "summary",
    ),
    "risk": (
        forms.RiskForm,
        "risk_form",
        lambda case, d, by: services.record_risk(case=case, by=by, **d),
        "summary",
    ),
    "transition": (
        forms.TransitionForm,
        "transition_form",
        lambda case, d, by: services.transition(case=case, by=by, **d),
        "summary",
    ),
}


@require_POST
@requires(Capability.MANAGE_CASES)
def case_action(request, pk, action):
    case = visible_or_404(Case.objects.visible_to(request.user), pk, request.user)
    if action not in CASE_ACTIONS:
        raise Http404("No such action.")
    form_class, name, perform, section = CASE_ACTIONS[action]
    # The status form is in the header of every page: back to the one it was sent from.
    if request.POST.get("from") in (*SECTIONS, TIMELINE):
        section = request.POST["from"]
    extra = {"current": case.status} if form_class is forms.TransitionForm else {}
    form = form_class(request.POST, **extra)
    if form.is_valid():
        try:
            perform(case, form.cleaned_data, request.user)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Saved.")
            return redirect(_section_url(case, section) + f"#{action}")
    return _refused(request, case, section, (name, form))


def _goal_for(request, pk, goal_id) -> Goal:
    case = visible_or_404(Case.objects.visible_to(request.user), pk, request.user)
    return visible_or_404(Goal.objects.filter(care_plan__case=case), goal_id, request.user)


@require_POST
@requires(Capability.MANAGE_CASES)
def goal_status(request, pk, goal_id):
    goal = _goal_for(request, pk, goal_id)
    form = forms.GoalStatusForm(request.POST)
    if form.is_valid():
        services.set_goal_status(goal=goal, status=form.cleaned_data["status"], by=request.user)
        messages.success(request, "Goal updated.")
    return redirect(reverse("cases:case_plan", args=[pk]) + "#care-plan")


@require_POST
@requires(Capability.MANAGE_CASES)
def goal_action(request, pk, goal_id):
    goal = _goal_for(request, pk, goal_id)
    form = forms.ActionForm(request.POST)
    if form.is_valid():
        services.add_action(goal=goal, by=request.user, **form.cleaned_data)
        messages.success(request, "Action added.")
    else:
        messages.error(request, "Describe the action in under 500 characters.")
    return redirect(reverse("cases:case_plan", args=[pk]) + "#care-plan")


@require_POST
@requires(Capability.MANAGE_CASES)
def task_done(request, pk, task_id):
    case = visible_or_404(Case.objects.visible_to(request.user), pk, request.user)
    task = visible_or_404(Task.objects.filter(case=case), task_id, request.user)
    services.complete_task(task=task, by=request.user)
    messages.success(request, f"Done: {task.title}.")
    if request.POST.get("next") == "caseload":
        return redirect("cases:caseload")
    return redirect(reverse("cases:case", args=[pk]) + "#tasks")


@require_POST
@requires(Capability.MANAGE_CASES)
def take_case(request, pk):
    case = visible_or_404(Case.objects.visible_to(request.user), pk, request.user)
    try:
        services.assign(case=case, link_worker=request.user, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(sum(e.message_dict.values(), [])))
    return redirect("cases:case", pk=pk)


@requires(Capability.MANAGE_CASES)
def today(request):
    """The link worker's inbox: what needs doing today, and what arrived this week."""
    shown = [
        {"section": section, "count": section.count(), "entries": section.entries()}
        for section in inbox.sections(request.user)
    ]
    return render(request, "inbox/today.html", {"shown": shown, "days": inbox.RECENT_DAYS})
