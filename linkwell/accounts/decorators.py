from functools import wraps

from django.contrib.auth.decorators import login_required

from .permissions import require


def requires(capability):
    """Sign-in required, and a role that grants the capability (403 otherwise)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
