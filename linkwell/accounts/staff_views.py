"""Staff administration pages for admins: thin, each calls one `staff` service."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import staff
from .access import record_id, visible_or_404
from .decorators import requires
from .forms import InviteForm, RoleForm, ServiceAccountForm
from .permissions import Capability
from .services import AccountError, create_token
from .views import show_error


@requires(Capability.MANAGE_STAFF)
def staff_list(request):
    people = staff.administrable(request.user).prefetch_related("memberships__organisation")
    return render(request, "accounts/staff.html", {"people": people})


def _form_page(request, form_class, title, save):
    form = form_class(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = save(**form.cleaned_data, by=request.user)
        except AccountError as e:
            show_error(form, e)
        else:
            return redirect("accounts:staff_member", pk=user.pk)
    status = 400 if form.errors else 200
    return render(
        request, "accounts/staff_form.html", {"form": form, "title": title}, status=status
    )


@requires(Capability.MANAGE_STAFF)
def invite(request):
    return _form_page(request, InviteForm, "Invite a member of staff", staff.invite)


@requires(Capability.MANAGE_STAFF)
def service_account_new(request):
    return _form_page(
        request, ServiceAccountForm, "Add a service account", staff.create_service_account
    )


@requires(Capability.MANAGE_STAFF)
def staff_member(request, pk, role_form=None):
    member = visible_or_404(staff.administrable(request.user), pk, request.user)
    return render(
        request,
        "accounts/staff_member.html",
        {
            "member": member,
            "memberships": member.memberships.select_related("organisation"),
            "role_form": role_form or RoleForm(admin=request.user),
            "has_authenticator": member.totpdevice_set.filter(confirmed=True).exists(),
            "tokens": member.api_tokens.order_by("-created_at"),
        },
        status=400 if role_form is not None else 200,
    )


ACTIONS = {
    "deactivate": lambda member, data, by: staff.set_active(user=member, active=False, by=by),
    "reactivate": lambda member, data, by: staff.set_active(user=member, active=True, by=by),
    "reset_two_factor": lambda member, data, by: staff.reset_two_factor(user=member, by=by),
    "resend_invitation": lambda member, data, by: staff.resend_invitation(user=member, by=by),
    "remove_role": lambda member, data, by: staff.remove_role(
        membership=member.memberships.get(pk=record_id(data.get("membership")) or 0), by=by
    ),
}
DONE = {
    "deactivate": "Account deactivated: their sessions, tokens and emailed links no longer work.",
    "reactivate": "Account reactivated.",
    "reset_two_factor": "Two-factor reset: they have been emailed a link to set up a new app.",
    "resend_invitation": "Invitation sent again.",
    "remove_role": "Role removed.",
    "add_role": "Role added.",
}


@require_POST
@requires(Capability.MANAGE_STAFF)
def staff_action(request, pk, action):
    member = visible_or_404(staff.administrable(request.user), pk, request.user)
    if action == "add_role":
        form = RoleForm(request.POST, admin=request.user)
        if not form.is_valid():
            return staff_member(request, pk, role_form=form)
        try:
            staff.add_role(user=member, by=request.user, **form.cleaned_data)
        except AccountError as e:
            show_error(form, e)
            return staff_member(request, pk, role_form=form)
    elif action == "create_token":
        return _new_token(request, member)
    elif action in ACTIONS:
        try:
            ACTIONS[action](member, request.POST, request.user)
        except (AccountError, member.memberships.model.DoesNotExist) as e:
            messages.error(request, " ".join(getattr(e, "messages", ["No such role."])))
            return redirect("accounts:staff_member", pk=member.pk)
    else:
        raise Http404("No such action.")
    messages.success(request, DONE[action])
    return redirect("accounts:staff_member", pk=member.pk)


def _new_token(request, member):
    if not member.is_service_account:
        messages.error(request, "Tokens are for service accounts: add one for the system.")
        return redirect("accounts:staff_member", pk=member.pk)
    token = create_token(user=member, name=request.POST.get("name", "")[:100], by=request.user)
    return render(request, "accounts/token_created.html", {"member": member, "token": token})
