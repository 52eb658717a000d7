from .audit import RequestContext, current_request


class AuditContextMiddleware:
    """Makes the client address and path available to the audit log for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(
            RequestContext(ip_address=request.META.get("REMOTE_ADDR"), path=request.path)
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
