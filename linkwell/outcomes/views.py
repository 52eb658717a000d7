"""Pages for taking measures, self-completion links, local instruments and the cohort report.

Thin: parse, call a service, render.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.decorators import requires
from linkwell.accounts.permissions import Capability
from linkwell.accounts.secrets_store import LinkRefused
from linkwell.cases.models import Case

from . import forms, queries, self_completion, services


def _case(request, pk) -> Case:
    return visible_or_404(Case.objects.visible_to(request.user), pk, request.user)


def _instrument(code: str):
    try:
        return services.instrument_for(code)
    except services.OutcomeError:
        raise Http404("No such measure.") from None


@requires(Capability.MANAGE_CASES)
def measure_new(request, pk):
    case = _case(request, pk)
    code = request.GET.get("instrument", "")
    if not code:
        return render(
            request,
            "outcomes/choose_instrument.html",
            {"case": case, "instruments": services.available_instruments()},
        )
    instrument = _instrument(code)
    form = forms.MeasureForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_administration(
                case=case,
                instrument=instrument.code,
                answers=form.answers(),
                timepoint=form.cleaned_data["timepoint"],
                mode=form.cleaned_data["mode"],
                administered_at=form.administered_at(),
                score=form.cleaned_data.get("score"),
                level=form.cleaned_data.get("level"),
                by=request.user,
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"{instrument.name} saved.")
            return redirect(reverse("cases:case_measures", args=[case.pk]) + "#measures")
    return render(
        request,
        "outcomes/measure_form.html",
        {"case": case, "instrument": instrument, "form": form, "link_form": forms.LinkForm()},
        status=422 if form.errors else 200,
    )


@require_POST
@requires(Capability.MANAGE_CASES)
def measure_link(request, pk):
    case = _case(request, pk)
    instrument = _instrument(request.POST.get("instrument", ""))
    link_form = forms.LinkForm(request.POST)
    if link_form.is_valid():
        try:
            link, token = self_completion.create_link(
                case=case,
                instrument=instrument.code,
                timepoint=link_form.cleaned_data["timepoint"],
                by=request.user,
            )
        except ValidationError as e:
            link_form.add_service_error(e)
        else:
            url = request.build_absolute_uri(reverse("outcomes:self_complete", args=[token]))
            return render(
                request,
                "outcomes/link_created.html",
                {"case": case, "instrument": instrument, "link": link, "url": url},
                status=201,
            )
    form = forms.MeasureForm(instrument=instrument)
    return render(
        request,
        "outcomes/measure_form.html",
        {"case": case, "instrument": instrument, "form": form, "link_form": link_form},
        status=422,
    )


LINK_GONE = {
    "used": "This link has already been used. Thank you: your answers were saved.",
    "expired": "This link has expired. Ask your link worker for a new one.",
}


def _link_gone(request, error: LinkRefused):
    context = {"unknown": error.reason == "unknown", "message": LINK_GONE.get(error.reason)}
    return render(request, "outcomes/link_gone.html", context, status=error.status)


def self_complete(request, token):
    """The person's own page: that measure's questions and their first name, nothing else."""
    try:
        link = self_completion.open_link(token)
    except LinkRefused as e:
        return _link_gone(request, e)
    instrument = services.instrument_for(link.instrument, include_retired=True)
    form = forms.AnswersForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            self_completion.complete_link(token=token, answers=form.answers())
        except LinkRefused as e:
            return _link_gone(request, e)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            return render(request, "outcomes/self_complete_done.html", {"instrument": instrument})
    return render(
        request,
        "outcomes/self_complete.html",
        {"instrument": instrument, "form": form, "first_name": link.case.person.given_name},
        status=422 if form.errors else 200,
    )


@requires(Capability.DEFINE_INSTRUMENTS)
def local_instruments(request):
    form = forms.LocalInstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            instrument = services.define_local_instrument(by=request.user, **data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"{instrument.name} can now be taken on any case.")
            return redirect("outcomes:instruments")
    return render(
        request,
        "outcomes/instruments.html",
        {"instruments": services.available_instruments(), "form": form},
        status=422 if form.errors else 200,
    )


@requires(Capability.REPORT_OUTCOMES)
def report(request):
    rows = [
        (i, m, queries.cohort_change(request.user, instrument=i.code, measure=m.key))
        for i in services.available_instruments()
        for m in i.measures
    ]
    return render(request, "outcomes/report.html", {"rows": rows})
