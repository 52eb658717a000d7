from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from linkwell.client_address import client_address

from . import two_factor
from .audit import RequestContext, current_request


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
