from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device

from linkwell.client_address import client_address
from linkwell.paging import page_number

from . import two_factor
from .access import visible_or_404
from .decorators import requires
from .forms import SignInForm, TwoFactorForm
from .models import AuditEntry, SignInAttempt
from .permissions import Capability, managed_organisations
from .services import AccountError, is_locked_out, sign_in


def _next(request) -> str:
    target = request.GET.get("next", "")
    secure = request.is_secure()
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=secure):
        return target
    return reverse("home")


def sign_in_view(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in(request=request, **form.cleaned_data)
        except AccountError as e:
            form.add_error(None, str(e))
        else:
            if two_factor.needed(user):
                two_factor.remember_pending(request.session, user)
                return redirect(reverse("accounts:two_factor") + "?" + request.GET.urlencode())
            login(request, user)
            return redirect(_next(request))
    status = 400 if form.errors else 200
    return render(request, "accounts/sign_in.html", {"form": form}, status=status)


def two_factor_view(request):
    """The second step: a code from the authenticator app, setting one up if need be."""
    user = two_factor.pending_user(request.session)
    if user is None:
        messages.info(request, "Sign in again: the first step has expired.")
        return redirect("accounts:login")
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if is_locked_out(user.username):
            form.add_error("code", "Too many failed attempts. Try again later.")
        else:
            device = two_factor.verify(user, form.cleaned_data["code"])
            SignInAttempt.objects.create(
                username=user.username,
                succeeded=device is not None,
                ip_address=client_address(request),
            )
            if device is None:
                form.add_error(
                    "code", "That code is not right. Enter the 6 digits the app shows now."
                )
            else:
                request.session.pop(two_factor.PENDING_KEY, None)
                login(request, user)
                otp_login(request, device)
                return redirect(_next(request))
    context = {"form": form, "setup": None}
    if not user_has_device(user):
        setup = two_factor.setup_device(user)
        context.update(
            setup=setup,
            qr=segno.make(setup.config_url, error="m").svg_data_uri(scale=4),
            secret=b32encode(setup.bin_key).decode(),
        )
    return render(request, "accounts/two_factor.html", context)


@require_POST
def sign_out_view(request):
    logout(request)
    return redirect("accounts:login")


@requires(Capability.READ_AUDIT)
def audit_log(request):
    entries = AuditEntry.objects.visible_to(request.user)
    for field in ("username", "action", "person_id"):
        value = request.GET.get(field, "").strip()
        if value and (field != "person_id" or value.isdigit()):
            entries = entries.filter(**{field: value})
    page = Paginator(entries, 50).get_page(page_number(request.GET.get("page")))
    return render(request, "accounts/audit.html", {"page": page})


@requires(Capability.MANAGE_ORGANISATIONS)
def organisations(request):
    return render(
        request,
        "accounts/organisations.html",
        {"organisations": managed_organisations(request.user)},
    )


@require_POST
@requires(Capability.MANAGE_ORGANISATIONS)
def require_two_factor(request, pk):
    organisation = visible_or_404(managed_organisations(request.user), pk, request.user)
    required = request.POST.get("required") == "yes"
    two_factor.set_requirement(organisation=organisation, required=required, by=request.user)
    state = "now must" if required else "no longer have to"
    messages.success(request, f"Members of {organisation.name} {state} use two-factor sign-in.")
    return redirect("accounts:organisations")
