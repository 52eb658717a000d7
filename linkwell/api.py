"""The JSON API: /api/v1/…, described at /api/openapi.json, browsable at /api/docs.

Systems authenticate with a bearer token (`linkwell token create USERNAME`); signed-in users'
browsers may use their session (with CSRF). Errors share one shape: {"detail": [{"loc", "msg",
"type"}]} for 422 (as the request validation errors), {"detail": "..."} otherwise.
"""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from linkwell.accounts.services import user_for_token
from linkwell.cases.api import router as cases_router
from linkwell.cases.services import IdempotencyConflict
from linkwell.interfaces import with_each_view


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Linkwell API",
    version="1",
    description="Referrals and case management for social prescribing link workers.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[BearerToken(), django_auth],
)
api.add_router("/v1/", cases_router)
api.add_router("/v1/", "linkwell.outcomes.api.router")
api.add_router("/v1/", "linkwell.standards.api.router")
api.add_router("/v1/", "linkwell.connections.api.router")


def validation_detail(error: ValidationError) -> list[dict]:
    """Turn a service's field errors into the request-validation shape, with the field path."""
    items = []
    for field, messages in error.message_dict.items():
        loc = ["body", *field.split(".")] if field != "__all__" else ["body"]
        items.extend({"loc": loc, "msg": m, "type": "value_error"} for m in messages)
    return items


@api.exception_handler(IdempotencyConflict)
def idempotency_conflict(request, exc):
    return api.create_response(request, {"detail": validation_detail(exc)}, status=409)


@api.exception_handler(ValidationError)
def domain_validation_error(request, exc):
    return api.create_response(request, {"detail": validation_detail(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


def _json_405(view):
    """ninja answers a method a path does not take with a text "Method not allowed"; an API
    client gets the API's {"detail": ...} instead, with Allow kept."""

    @functools.wraps(view)
    def answering(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        allowed = response["Allow"]
        refused = JsonResponse({"detail": f"{request.method} is not allowed: {allowed}."})
        refused.status_code, refused["Allow"] = 405, allowed
        return refused

    return answering


def urls():
    """api.urls with every view answering a wrong method in JSON (above), for linkwell.urls."""
    return with_each_view(api.urls, _json_405)
