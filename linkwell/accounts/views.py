from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from linkwell.paging import page_number

from . import services, single_sign_on, two_factor
from .access import record_id, visible_or_404
from .decorators import requires
from .forms import AccountLinkForm, InboxDigestForm, PasswordResetForm, SignInForm, TwoFactorForm
from .models import AuditEntry
from .permissions import Capability, can, managed_organisations, require
from .secrets_store import LinkRefused

# Named when signing in, since more than one backend is configured (passwords, single sign-on).
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"  # noqa: S105 — a class path


def show_error(form, error) -> None:
    """A service's AccountError by the field it names, or at the top of the form."""
    if hasattr(error, "error_dict"):
        form.add_service_error(error)
    else:
        form.add_error(None, error)


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
            checked = services.sign_in(**form.cleaned_data)
        except services.AccountError as e:
            show_error(form, e)
        else:
            if checked.next_step == "signed_in":
                login(request, checked.user, backend=PASSWORD_BACKEND)
                return redirect(_next(request))
            if checked.next_step == "enrol":
                return render(request, "accounts/check_email.html", {"enrol": True})
            two_factor.remember_pending(request.session, checked.user)
            return redirect(reverse("accounts:two_factor") + "?" + request.GET.urlencode())
    status = 400 if form.errors else 200
    sso = settings.OIDC_PROVIDER_NAME if single_sign_on.enabled() else ""
    return render(request, "accounts/sign_in.html", {"form": form, "sso": sso}, status=status)


def two_factor_view(request):
    """The second step: a code from the authenticator app."""
    user = two_factor.pending_user(request.session)
    if user is None:
        messages.info(request, "Sign in again: the first step has expired.")
        return redirect("accounts:login")
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor(user=user, code=form.cleaned_data["code"])
        except services.AccountError as e:
            show_error(form, e)
        else:
            request.session.pop(two_factor.PENDING_KEY, None)
            login(request, user, backend=PASSWORD_BACKEND)
            otp_login(request, device)
            return redirect(_next(request))
    status = 400 if form.errors else 200
    return render(request, "accounts/two_factor.html", {"form": form}, status=status)


@require_POST
def sign_out_view(request):
    logout(request)
    return redirect("accounts:login")


def password_reset(request):
    """Self-service: a single-use reset link to the account's email address."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_password_reset(email=form.cleaned_data["email"])
        return render(request, "accounts/check_email.html", {"email": form.cleaned_data["email"]})
    status = 400 if form.errors else 200
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


LINK_HEADINGS = {
    "invitation": "Set up your Linkwell account",
    "password_reset": "Choose a new password",
    "two_factor_setup": "Set up two-factor sign-in",
}


def account_link(request, token):
    """An emailed single-use link: an invitation, a password reset or a two-factor set-up."""
    try:
        steps = services.open_link(secret=token)
    except LinkRefused as refused:
        return render(
            request, "accounts/link_refused.html", {"reason": refused.reason}, status=refused.status
        )
    form = AccountLinkForm(request.POST or None, steps=steps)
    if request.method == "POST" and form.is_valid():
        try:
            used = services.use_link(
                secret=token,
                password=form.cleaned_data.get("password", ""),
                code=form.cleaned_data.get("code", ""),
            )
        except services.AccountError as e:
            show_error(form, e)
        except LinkRefused as refused:
            return render(
                request,
                "accounts/link_refused.html",
                {"reason": refused.reason},
                status=refused.status,
            )
        else:
            if used.signed_in:
                login(request, used.user, backend=PASSWORD_BACKEND)
                if used.device is not None:
                    otp_login(request, used.device)
                messages.success(request, "Welcome to Linkwell: your account is ready.")
                return redirect("home")
            messages.success(request, "Done. Sign in with your password now.")
            return redirect("accounts:login")
    context = {"form": form, "heading": LINK_HEADINGS[steps.link.purpose], "steps": steps}
    if steps.code:
        setup = two_factor.setup_device(steps.link.user)
        context.update(
            qr=segno.make(setup.config_url, error="m").svg_data_uri(scale=4),
            secret=b32encode(setup.bin_key).decode(),
        )
    status = 400 if form.errors else 200
    return render(request, "accounts/link.html", context, status=status)


@requires(Capability.READ_AUDIT)
def audit_log(request):
    entries = AuditEntry.objects.visible_to(request.user)
    for field in ("username", "action", "person_id"):
        value = request.GET.get(field, "").strip()
        if field == "person_id" and value:
            # Not a record number ("²", past bigint): matches no entry, never a database error.
            value = record_id(value)
            entries = entries.filter(person_id=value) if value else entries.none()
        elif value:
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


@login_required
def your_account(request):
    """The signed-in person's own account: who they are, and (for link workers, who have a
    Today inbox) whether they get its daily email."""
    user = request.user
    has_inbox = can(user, Capability.MANAGE_CASES)
    posted = request.method == "POST"  # an unticked box posts nothing: still a choice
    form = InboxDigestForm(
        request.POST if posted else None, initial={"inbox_digest": user.inbox_digest}
    )
    if posted:
        require(user, Capability.MANAGE_CASES)
        if form.is_valid():
            try:
                services.set_inbox_digest(user=user, wanted=form.cleaned_data["inbox_digest"])
            except services.AccountError as e:
                show_error(form, e)
            else:
                on = user.inbox_digest
                messages.success(
                    request, "You will get the daily email." if on else "The daily email is off."
                )
                return redirect("accounts:account")
    context = {
        "memberships": user.memberships.select_related("organisation"),
        "form": form if has_inbox else None,
    }
    return render(request, "accounts/account.html", context, status=400 if form.errors else 200)
