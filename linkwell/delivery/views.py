"""Notify's delivery receipts (machine to machine, its own bearer token), the admins' view
of the outbox, and a link worker's word that the practice has a message back. Thin: parse,
call a service, render."""

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.decorators import requires
from linkwell.accounts.permissions import Capability
from linkwell.cases.models import Case
from linkwell.dates import read_datetime
from linkwell.paging import page_number

from . import queries, services
from .models import Delivery, Status


def _bearer_ok(request) -> bool:
    expected = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@csrf_exempt  # a machine's POST, authenticated by the bearer token Notify was given
@require_POST
def notify_receipt(request):
    """GOV.UK Notify's delivery receipt callback: JSON {id, reference, status, completed_at…}
    (docs.notifications.service.gov.uk/rest-api.html, "Callbacks")."""
    if not _bearer_ok(request):
        return JsonResponse({"error": "A valid bearer token is required."}, status=401)
    try:
        body = json.loads(request.body)
        notification_id, status = str(body["id"]), str(body["status"])
        reference = str(body.get("reference") or "")
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: [[[[…]]]]
        return JsonResponse({"error": "Expected JSON with id and status."}, status=400)
    at = read_datetime(str(body.get("completed_at") or ""))
    try:
        delivery = services.notify_receipt(
            notification_id=notification_id, reference=reference, status=status, at=at
        )
    except services.DeliveryError as e:
        return JsonResponse({"error": " ".join(sum(e.message_dict.values(), []))}, status=404)
    return JsonResponse({"status": delivery.status})


@requires(Capability.READ_AUDIT)
def outbox(request):
    """Admins: what is failing or waiting, then everything, newest first."""
    rows = Delivery.objects.visible_to(request.user).select_related("case")
    problems = rows.filter(status__in=[Status.FAILED, Status.QUEUED, Status.SENDING])
    page = Paginator(rows, 50).get_page(page_number(request.GET.get("page")))
    return render(
        request,
        "delivery/outbox.html",
        {
            "problems": problems.exclude(attempts=0, status=Status.QUEUED)[:100],
            "no_reply": queries.awaiting_reply(rows).order_by("sent_at", "id")[:100],
            "chase_hours": settings.MESH_ACK_CHASE_HOURS,
            "page": page,
        },
    )


@require_POST
@requires(Capability.MANAGE_CASES)
def confirm_received(request, pk):
    """Record "the practice has it": the link worker checked with a practice that never
    acknowledged a message back (the button on the case's message back page)."""
    about_my_cases = Delivery.objects.filter(case__in=Case.objects.visible_to(request.user))
    delivery = visible_or_404(about_my_cases, pk, request.user)
    try:
        services.confirm_received(delivery=delivery, by=request.user)
    except services.DeliveryError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, "Recorded: the practice has the message back.")
    page = reverse("cases:case_message_back", args=[delivery.case_id])
    return redirect(f"{page}#messages-sent")
