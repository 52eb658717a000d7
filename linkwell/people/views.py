"""Subject access and erasure pages, for managers of the person's PCN."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.decorators import requires
from linkwell.accounts.permissions import Capability

from . import subject_access
from .duplicates import MergeError
from .duplicates import merge as merge_people
from .models import Person
from .subject_access_pdf import render as render_pdf


def _person(request, pk, **detail) -> Person:
    return visible_or_404(Person.objects.visible_to(request.user), pk, request.user, **detail)


@requires(Capability.PROCESS_SUBJECT_REQUESTS)
def subject_access_export(request, pk, fmt):
    if fmt not in ("json", "pdf"):
        raise Http404("Ask for .json or .pdf.")
    person = _person(request, pk, via=f"subject access export ({fmt})")
    data = subject_access.export(person=person, by=request.user, fmt=fmt)
    if fmt == "pdf":
        response = HttpResponse(render_pdf(data), content_type="application/pdf")
    else:
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
        )
    response["Content-Disposition"] = f'attachment; filename="subject-access-{pk}.{fmt}"'
    return response


@requires(Capability.PROCESS_SUBJECT_REQUESTS)
def erase(request, pk):
    person = _person(request, pk)
    error = None
    if request.method == "POST":
        try:
            subject_access.erase(
                person=person, by=request.user, reason=request.POST.get("reason", "")
            )
        except subject_access.SubjectAccessError as e:
            error = str(e)
        else:
            messages.success(
                request, "The record was erased. The audit log keeps who did it and why."
            )
            return redirect("home")
    return render(
        request,
        "people/erase.html",
        {"person": person, "error": error},
        status=422 if error else 200,
    )


@require_POST
@requires(Capability.MANAGE_CASES)
def merge(request, pk, duplicate_pk):
    keep, duplicate = _person(request, pk), _person(request, duplicate_pk)
    try:
        merge_people(keep=keep, duplicate=duplicate, by=request.user)
    except MergeError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "The two records are now one. Nothing was lost.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "home"
    return redirect(target)
