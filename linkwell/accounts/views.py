from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .decorators import requires
from .forms import SignInForm
from .models import AuditEntry
from .permissions import Capability
from .services import AccountError, sign_in


def sign_in_view(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in(request=request, **form.cleaned_data)
        except AccountError as e:
            form.add_error(None, str(e))
        else:
            login(request, user)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(
                target, {request.get_host()}, require_https=request.is_secure()
            ):
                target = "home"
            return redirect(target)
    return render(
        request, "accounts/sign_in.html", {"form": form}, status=200 if not form.errors else 400
    )


@require_POST
def sign_out_view(request):
    logout(request)
    return redirect("accounts:login")


@requires(Capability.READ_AUDIT)
def audit_log(request):
    entries = AuditEntry.objects.all()
    for field in ("username", "action", "person_id"):
        value = request.GET.get(field, "").strip()
        if value and (field != "person_id" or value.isdigit()):
            entries = entries.filter(**{field: value})
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"page": page})
