"""The message back (review, send, letter, FHIR document) and the completeness page."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.decorators import requires
from linkwell.accounts.permissions import Capability
from linkwell.cases.models import Case, Referral
from linkwell.delivery.queries import awaiting_among
from linkwell.interop import message_back, message_back_letter

from . import services
from .forms import ReferrerForm, SendForm
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


def _referrer_form(case, data=None) -> ReferrerForm:
    referral = case.referral
    return ReferrerForm(
        data,
        initial={
            "name": referral.referrer_name,
            "contact": referral.referrer_contact,
            "organisation_name": referral.referring_organisation_name,
        },
    )


@require_POST
@requires(Capability.MANAGE_CASES)
def referrer(request, pk):
    """Record or correct the referrer's details (from the message back page)."""
    case = visible_or_404(Case.objects.visible_to(request.user), pk, request.user)
    form = _referrer_form(case, request.POST)
    if form.is_valid():
        try:
            services.record_referrer(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Referrer's details saved.")
            return redirect(reverse("standards:message_back", args=[case.pk]) + "#referrer")
    return message_back_page(request, pk, referrer_form=form)


@requires(Capability.MANAGE_CASES)
def message_back_page(request, pk, referrer_form=None):
    case = visible_or_404(Case.objects.visible_to(request.user), pk, request.user)
    form = SendForm(None if referrer_form else request.POST or None)
    status = 422 if referrer_form else 200
    if request.method == "POST" and referrer_form is None:
        if form.is_valid():
            try:
                sent = services.send_message_back(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as e:
                form.add_service_error(e)
            else:
                messages.success(
                    request,
                    f"Message back to {sent.recipient_name} saved and queued; this page says "
                    "when it reaches them.",
                )
                return redirect("standards:message_back", pk=case.pk)
        status = 422
    sent = [(m, services.delivery_of(m)) for m in case.messages_back.select_related("sent_by")]
    return render(
        request,
        "standards/message_back.html",
        {
            "case": case,
            "form": form,
            "referrer_form": referrer_form or _referrer_form(case),
            "previews": _previews(case),
            "sent": sent,
            "no_reply": awaiting_among([d for _, d in sent if d]),
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
    if message is None:
        content = message_back.sections(case, Recipient.GP)
        draft = {"recipient_name": "GP practice (draft, not sent)", "sections": content}
        if fmt == "fhir":
            document = message_back.bundle(
                case, content, sent_by=request.user, sent_at=timezone.now(), draft=True
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


@requires(Capability.TRACK_OWN_REFERRALS)
def referral_letter(request, pk):
    """The referrer's view of the message back about their referral (their copy only)."""
    referral = visible_or_404(Referral.objects.visible_to(request.user), pk, request.user)
    message = services.letter_for_referrer(referral=referral, user=request.user)
    return render(
        request, "standards/referral_letter.html", {"referral": referral, "message": message}
    )
