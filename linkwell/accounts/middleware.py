from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone

from linkwell.client_address import client_address

from . import two_factor
from .audit import RequestContext, current_request, record
from .models import AuditAction, AuditEntry


class AuditContextMiddleware:
    """Makes the client address and path available to the audit log for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(
            RequestContext(
                ip_address=client_address(request), path=request.path, method=request.method
            )
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class SecondFactorMiddleware:
    """Ends a session that never gave a code when the user's organisation now requires one."""

    OPEN_PATHS = ("/accounts/sign-", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(self.OPEN_PATHS)
            and two_factor.required_for(user)
        ):
            logout(request)
            messages.info(request, "Your organisation now requires a code at sign-in.")
            return redirect("accounts:login")
        return self.get_response(request)


class RefusalAuditMiddleware:
    """Writes every refused request (401: not signed in; 403: the role does not allow it, or a
    failed CSRF check) to the audit log, as the README promises, at most
    `REFUSALS_AUDITED_PER_MINUTE` per client address, so a scanner cannot flood the log (the
    request log still has every one). A 404 on someone else's record is audited where it is
    refused (visible_or_404)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (401, 403):
            context = current_request.get()
            ip = context.ip_address if context else None
            since = timezone.now() - timedelta(minutes=1)
            recent = AuditEntry.objects.filter(
                action=AuditAction.DENIED, object_type="request", ip_address=ip, at__gte=since
            )
            if recent.count() < settings.REFUSALS_AUDITED_PER_MINUTE:
                user = getattr(request, "user", None)
                record(
                    user=user,
                    action=AuditAction.DENIED,
                    object_type="request",
                    object_id=request.method,
                    status=response.status_code,
                )
        return response
