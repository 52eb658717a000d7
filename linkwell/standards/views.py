"""The message back (review, send, letter, FHIR document) and the completeness page."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.decorators import requires
from linkwell.accounts.permissions import Capability
from linkwell.cases.models import Case
from linkwell.interop import message_back, message_back_letter
from linkwell.people.services import record_viewed

from . import services
from .forms import SendForm
from .gaps import completeness
from .models import MessageBack, Recipient


@requires(Capability.REPORT_OUTCOMES)
def completeness_page(request):
    rows = completeness(Case.objects.visible_to(request.user))
    return render(request, "standards/completeness.html", {"rows": rows})


def _previews(case) -> list[dict]:
    return [
        {
            "recipient": r,
            "to": (message_back.recipient_of(case, r.value) or ("Not known", None))[0],
            "blockers": services.blockers(case, r.value),
            "sections": message_back.sections(case, r.value),
        }
        for r in Recipient
    ]


@requires(Capability.MANAGE_CASES)
def message_back_page(request, pk):
    case = visible_or_404(Case.objects.visible_to(request.user), pk, request.user)
    form = SendForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = services.send_message_back(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as e:
                form.add_service_error(e)
            else:
                messages.success(request, f"Message back sent to {sent.recipient_name}.")
                return redirect("standards:message_back", pk=case.pk)
        status = 422
    else:
        record_viewed(person=case.person, by=request.user, via="message back")
    return render(
        request,
        "standards/message_back.html",
        {
            "case": case,
            "form": form,
            "previews": _previews(case),
            "sent": [
                (m, services.delivery_of(m)) for m in case.messages_back.select_related("sent_by")
            ],
        },
        status=status,
    )


@requires(Capability.VIEW_CASELOAD)
def letter(request, pk, fmt):
    """A sent message (?message=ID, default the latest), or a draft to the GP if none is sent."""
    if fmt not in ("html", "pdf", "fhir"):
        raise Http404("No such format.")
    case = visible_or_404(Case.objects.visible_to(request.user), pk, request.user)
    sent = MessageBack.objects.filter(case=case)
    wanted = request.GET.get("message", "")
    if wanted:
        message = visible_or_404(sent, wanted if wanted.isdigit() else 0, request.user)
    else:
        message = sent.first()
    record_viewed(person=case.person, by=request.user, via=f"message back {fmt}")
    if message is None:
        content = message_back.sections(case, Recipient.GP)
        draft = {"recipient_name": "GP practice (draft, not sent)", "sections": content}
        if fmt == "fhir":
            document = message_back.bundle(
                case, content, sent_by=request.user, sent_at=timezone.now()
            )
            body = document.model_dump_json(exclude_none=True)
            return HttpResponse(body, content_type="application/fhir+json")
        letter_data = {**draft, "sent_at": None, "case": case}
    else:
        if fmt == "fhir":
            return HttpResponse(json.dumps(message.bundle), content_type="application/fhir+json")
        letter_data = {
            "recipient_name": message.recipient_name,
            "sections": message.sections,
            "sent_at": message.sent_at,
            "case": case,
        }
    if fmt == "pdf":
        response = HttpResponse(
            message_back_letter.render(letter_data), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="message-back-{case.pk}.pdf"'
        return response
    return render(request, "standards/letter.html", letter_data)
