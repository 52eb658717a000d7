"""Staff administration: invitations, roles, deactivation, two-factor resets, password resets."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from linkwell.accounts import staff
from linkwell.accounts.models import (
    AccountLink,
    AuditEntry,
    LinkPurpose,
    Membership,
    Organisation,
    Role,
    User,
)
from linkwell.accounts.secrets_store import digest, new_secret
from linkwell.accounts.services import AccountError, create_token
from tests.accounts.test_two_factor import code_for
from tests.concurrency import at_once, needs_concurrent_writers
from tests.factories import PASSWORD, PracticeFactory, user_with_role

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-42"


def emailed_link() -> str:
    return re.search(r"/accounts/link/[^/\s]+/", mail.outbox[-1].body).group(0)


@pytest.fixture
def admin(pcn):
    return user_with_role(Role.ADMIN, pcn.parent, email="admin@example.org")


@pytest.fixture
def admin_client(admin):
    """The admin's own browser, beside `client` (the staff member's)."""
    browser = Client()
    browser.force_login(admin)
    return browser


def invite(client, organisation, role=Role.LINK_WORKER, email="new.worker@example.org"):
    return client.post(
        "/accounts/staff/invite/",
        {
            "first_name": "Nia",
            "last_name": "Jones",
            "email": email,
            "organisation": organisation.pk,
            "role": role,
        },
    )


def test_an_invited_person_chooses_a_password_and_is_signed_in(admin_client, pcn, client):
    response = invite(admin_client, pcn)
    user = User.objects.get(email="new.worker@example.org")
    assert response.url == f"/accounts/staff/{user.pk}/"
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, organisation=pcn, role=Role.LINK_WORKER).exists()
    assert mail.outbox[-1].to == ["new.worker@example.org"]
    link = emailed_link()

    page = client.get(link).content.decode()
    assert "Set up your Linkwell account" in page and "data:image" not in page
    mismatch = client.post(link, {"password": NEW_PASSWORD, "password_again": "other"})
    assert mismatch.status_code == 400
    weak = client.post(link, {"password": "password", "password_again": "password"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    done = client.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.url == "/"
    assert client.get("/caseload/").status_code == 200
    assert client.get(link).status_code == 410  # single use
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    events = list(
        AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk))
        .order_by("id")
        .values_list("detail__event", flat=True)
    )
    assert events == ["invited", "Invitation link sent", "password set"]


def test_an_invitation_to_a_two_factor_organisation_sets_up_the_authenticator(
    admin_client, pcn, client
):
    pcn.require_two_factor = True
    pcn.save()
    invite(admin_client, pcn)
    link = emailed_link()
    page = client.get(link).content.decode()
    assert "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user__email="new.worker@example.org", confirmed=False)
    wrong = client.post(
        link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "code": "000000"}
    )
    assert wrong.status_code == 400
    user = User.objects.get(email="new.worker@example.org")
    assert not user.has_usable_password()  # nothing changed: all or nothing
    client.post(
        link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "code": code_for(device)}
    )
    assert client.get("/caseload/").status_code == 200  # verified, so the middleware lets it be


def test_invitations_are_refused_outside_the_admins_tree_and_for_unfit_roles(
    admin_client, other_practice, practice
):
    assert invite(admin_client, other_practice, Role.REFERRER).status_code == 400
    refused = invite(admin_client, practice, Role.LINK_WORKER)
    assert (
        refused.status_code == 400 and "cannot work for a GP practice" in refused.content.decode()
    )
    assert not User.objects.filter(email="new.worker@example.org").exists()
    assert mail.outbox == []
    # (the form offers only the admin's organisations; the service refuses the role)
    refused = AuditEntry.objects.get(action="denied", detail__event="invite")
    assert refused.detail["organisation"] == practice.pk
    assert refused.detail["role"] == Role.LINK_WORKER
    assert refused.detail["email"] == "new.worker@example.org"


def test_an_email_already_in_use_is_refused(admin_client, pcn):
    user_with_role(Role.LINK_WORKER, pcn, email="new.worker@example.org")
    assert "already has an account" in invite(admin_client, pcn).content.decode()


def test_admins_see_and_change_only_accounts_wholly_in_their_tree(admin_client, pcn):
    own = user_with_role(Role.LINK_WORKER, pcn)
    elsewhere = user_with_role(Role.LINK_WORKER, PracticeFactory().parent)
    shared = user_with_role(Role.LINK_WORKER, pcn)
    Membership.objects.create(user=shared, organisation=PracticeFactory().parent, role=Role.MANAGER)
    listing = admin_client.get("/accounts/staff/").content.decode()
    assert own.username in listing
    assert elsewhere.username not in listing and shared.username not in listing
    for user in (elsewhere, shared):
        assert admin_client.get(f"/accounts/staff/{user.pk}/").status_code == 404
        assert admin_client.post(f"/accounts/staff/{user.pk}/deactivate/").status_code == 404
        user.refresh_from_db()
        assert user.is_active


def test_roles_are_added_and_removed_but_never_the_last(admin_client, pcn, practice):
    user = user_with_role(Role.LINK_WORKER, pcn)
    admin_client.post(
        f"/accounts/staff/{user.pk}/add_role/", {"organisation": pcn.pk, "role": Role.MANAGER}
    )
    assert user.has_role(Role.MANAGER)
    first = user.memberships.get(role=Role.LINK_WORKER)
    admin_client.post(f"/accounts/staff/{user.pk}/remove_role/", {"membership": first.pk})
    last = user.memberships.get()
    assert last.role == Role.MANAGER
    page = admin_client.post(
        f"/accounts/staff/{user.pk}/remove_role/", {"membership": last.pk}, follow=True
    )
    assert "deactivate the account instead" in page.content.decode()
    assert user.memberships.count() == 1
    assert AuditEntry.objects.filter(action="account", detail__event="role removed").count() == 1


def test_deactivation_ends_live_sessions_and_tokens_at_once(admin_client, pcn, client):
    worker = user_with_role(Role.LINK_WORKER, pcn)
    client.force_login(worker)
    token = create_token(user=worker)
    assert client.get("/caseload/").status_code == 200
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    other = client.__class__()
    assert other.get("/api/v1/cases", **bearer).status_code == 200

    admin_client.post(f"/accounts/staff/{worker.pk}/deactivate/")
    assert client.get("/caseload/").status_code == 302  # signed out at its next request
    assert other.get("/api/v1/cases", **bearer).status_code == 401
    assert AuditEntry.objects.filter(detail__event="deactivated", detail__tokens_revoked=1).exists()
    signed_in = client.post(
        "/accounts/sign-in/", {"username": worker.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 400

    admin_client.post(f"/accounts/staff/{worker.pk}/reactivate/")
    worker.refresh_from_db()
    assert worker.is_active
    assert other.get("/api/v1/cases", **bearer).status_code == 401  # revoked for good


def test_deactivation_spends_emailed_links_and_deletes_sessions_for_good(
    admin_client, admin, pcn, client
):
    worker = user_with_role(Role.LINK_WORKER, pcn, email="leaving@example.org")
    client.post("/accounts/password-reset/", {"email": "leaving@example.org"})
    link = emailed_link()
    client.force_login(worker)
    session = client.session.session_key
    admin_session = admin_client.session.session_key

    admin_client.post(f"/accounts/staff/{worker.pk}/deactivate/")
    assert not Session.objects.filter(pk=session).exists()
    assert Session.objects.filter(pk=admin_session).exists()  # only theirs
    assert AuditEntry.objects.filter(
        detail__event="deactivated", detail__links_spent=1, detail__sessions_ended=1
    ).exists()
    admin_client.post(f"/accounts/staff/{worker.pk}/reactivate/")
    assert client.get(link).status_code == 410  # reactivating revives no old link


@pytest.mark.django_db(transaction=True)
def test_admins_deactivating_an_account_at_once_change_and_audit_it_once():
    needs_concurrent_writers()
    pcn = PracticeFactory().parent
    admin = user_with_role(Role.ADMIN, pcn.parent)
    worker = user_with_role(Role.LINK_WORKER, pcn)
    at_once(
        lambda: staff.set_active(user=User.objects.get(pk=worker.pk), active=False, by=admin), 5
    )
    assert AuditEntry.objects.filter(detail__event="deactivated").count() == 1


def test_account_changes_are_shown_in_the_audit_log(admin_client, pcn):
    worker = user_with_role(Role.LINK_WORKER, pcn)
    admin_client.post(f"/accounts/staff/{worker.pk}/deactivate/")
    log = admin_client.get("/accounts/audit/").content.decode()
    assert f"Changed an account: deactivated ({worker.username})" in log


def test_an_admin_cannot_deactivate_themselves(admin_client, admin):
    page = admin_client.post(f"/accounts/staff/{admin.pk}/deactivate/", follow=True)
    assert "You cannot deactivate your own account." in page.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_an_admin_cannot_give_themselves_a_role(admin_client, admin, pcn):
    page = admin_client.post(
        f"/accounts/staff/{admin.pk}/add_role/", {"organisation": pcn.pk, "role": Role.LINK_WORKER}
    )
    assert page.status_code == 400
    assert "You cannot give yourself a role" in page.content.decode()
    assert not admin.has_role(Role.LINK_WORKER)


# One refusal through each staff operation that can refuse.
REFUSALS = {
    "invite": lambda admin, worker, elsewhere: staff.invite(
        email="x@example.org",
        first_name="X",
        last_name="Y",
        organisation=elsewhere,
        role=Role.LINK_WORKER,
        by=admin,
    ),
    "add role": lambda admin, worker, elsewhere: staff.add_role(
        user=admin,
        organisation=worker.memberships.get().organisation,
        role=Role.MANAGER,
        by=admin,
    ),
    "remove role": lambda admin, worker, elsewhere: staff.remove_role(
        membership=worker.memberships.get(), by=admin
    ),
    "set active": lambda admin, worker, elsewhere: staff.set_active(
        user=admin, active=False, by=admin
    ),
    "resend invitation": lambda admin, worker, elsewhere: staff.resend_invitation(
        user=worker, by=admin
    ),
    "create service account": lambda admin, worker, elsewhere: staff.create_service_account(
        name="Lab", organisation=elsewhere, role=Role.LINK_WORKER, by=admin
    ),
}


@pytest.mark.parametrize("operation", REFUSALS)
def test_every_refused_staff_change_is_audited_with_what_was_tried(admin, pcn, operation):
    worker = user_with_role(Role.LINK_WORKER, pcn)
    elsewhere = PracticeFactory().parent
    with pytest.raises(AccountError) as refusal:
        REFUSALS[operation](admin, worker, elsewhere)
    entry = AuditEntry.objects.get(action="denied", user=admin)
    assert entry.detail["event"] == operation
    assert entry.detail["refused"] == "; ".join(refusal.value.messages)


def test_a_refusal_after_a_change_is_kept_in_the_log_as_the_change_rolls_back(
    admin_client, admin, pcn
):
    worker = user_with_role(Role.LINK_WORKER, pcn, email="")
    TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
    admin_client.post(f"/accounts/staff/{worker.pk}/reset_two_factor/")
    assert TOTPDevice.objects.filter(user=worker).exists()  # no link to send: nothing removed
    refused = AuditEntry.objects.get(action="denied", detail__event="reset two factor")
    assert refused.object_id == str(worker.pk) and refused.detail["account"] == worker.username
    assert "no email address" in refused.detail["refused"]
    log = admin_client.get("/accounts/audit/").content.decode()
    assert f"Denied access: reset two factor ({worker.username})" in log


def test_a_two_factor_reset_removes_the_authenticator_and_emails_a_set_up_link(
    admin_client, pcn, client
):
    pcn.require_two_factor = True
    pcn.save()
    worker = user_with_role(Role.LINK_WORKER, pcn, email="lost.phone@example.org")
    TOTPDevice.objects.create(user=worker, name="old phone", confirmed=True)
    admin_client.post(f"/accounts/staff/{worker.pk}/reset_two_factor/")
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert mail.outbox[-1].to == ["lost.phone@example.org"]
    assert AuditEntry.objects.filter(
        action="account", detail__event="two-factor reset", detail__authenticators_removed=1
    ).exists()
    link = emailed_link()
    client.get(link)
    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    assert client.post(link, {"code": code_for(device)}).url == "/accounts/sign-in/"
    device.refresh_from_db()
    assert device.confirmed


def test_forgotten_password_by_email(client, pcn):
    worker = user_with_role(Role.LINK_WORKER, pcn, email="Forgetful@example.org")
    unknown = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    known = client.post("/accounts/password-reset/", {"email": "forgetful@example.org"})
    # The same answer either way, so the page cannot reveal who has an account.
    assert "Check your email" in unknown.content.decode()
    assert unknown.content.decode().replace("nobody", "forgetful") == known.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["Forgetful@example.org"]
    link = emailed_link()
    assert client.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}).url == (
        "/accounts/sign-in/"
    )
    assert "_auth_user_id" not in client.session  # a reset never skips the sign-in itself
    assert (
        client.post(
            "/accounts/sign-in/", {"username": worker.username, "password": NEW_PASSWORD}
        ).url
        == "/"
    )


def test_a_new_reset_link_retires_the_old_one_and_links_expire(client, pcn):
    user_with_role(Role.LINK_WORKER, pcn, email="w@example.org")
    client.post("/accounts/password-reset/", {"email": "w@example.org"})
    first = emailed_link()
    client.post("/accounts/password-reset/", {"email": "w@example.org"})
    assert client.get(first).status_code == 410
    second = emailed_link()
    AccountLink.objects.filter(used_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert "expired" in client.get(second).content.decode()
    assert client.get("/accounts/link/not-a-link/").status_code == 404


def test_an_invitation_and_a_password_reset_retire_each_other(admin_client, pcn, client):
    invite(admin_client, pcn)
    invitation = emailed_link()
    user = User.objects.get(email="new.worker@example.org")
    client.post("/accounts/password-reset/", {"email": "new.worker@example.org"})
    reset = emailed_link()
    assert client.get(invitation).status_code == 410
    admin_client.post(f"/accounts/staff/{user.pk}/resend_invitation/")
    assert client.get(reset).status_code == 410
    assert client.get(emailed_link()).status_code == 200


def test_setting_the_password_spends_every_link_that_sets_it(admin_client, pcn, client):
    invite(admin_client, pcn)
    invitation = emailed_link()
    user = User.objects.get(email="new.worker@example.org")
    # A reset link issued beside it before invitations and resets retired each other.
    secret = new_secret()
    AccountLink.objects.create(
        user=user,
        purpose=LinkPurpose.PASSWORD_RESET,
        token_hash=digest(secret),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    client.post(invitation, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert client.get(f"/accounts/link/{secret}/").status_code == 410


def test_an_authenticator_set_up_spends_the_set_up_links_still_live(admin_client, pcn, client):
    pcn.require_two_factor = True
    pcn.save()
    invite(admin_client, pcn)
    invitation = emailed_link()
    user = User.objects.get(email="new.worker@example.org")
    admin_client.post(f"/accounts/staff/{user.pk}/reset_two_factor/")
    set_up = emailed_link()
    client.get(invitation)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    answer = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "code": code_for(device)}
    assert client.post(invitation, answer).url == "/"
    # Left live, the set-up link would replace the authenticator just set up.
    assert client.get(set_up).status_code == 410


def test_provider_staff_are_administered_by_their_icbs_admin(admin_client, pcn):
    provider = Organisation.objects.create(name="Befrienders", kind="provider", parent=pcn.parent)
    assert invite(admin_client, provider, Role.PROVIDER).status_code == 302


@pytest.mark.parametrize("membership", ["x", "²", "9" * 25])
def test_removing_a_role_that_names_no_membership_says_so(admin_client, pcn, membership):
    # int() of the posted value raised ValueError (a 500); past bigint, the query overflowed.
    user = user_with_role(Role.LINK_WORKER, pcn)
    page = admin_client.post(
        f"/accounts/staff/{user.pk}/remove_role/", {"membership": membership}, follow=True
    )
    assert page.status_code == 200 and "No such role." in page.content.decode()
    assert user.memberships.count() == 1


def test_reset_links_are_limited_per_account_and_the_page_says_the_same(client, pcn):
    from linkwell.accounts.services import RESET_LINK_LIMIT

    user_with_role(Role.LINK_WORKER, pcn, email="target@example.org")
    pages = [
        client.post("/accounts/password-reset/", {"email": "TARGET@example.org"}).content
        for _ in range(RESET_LINK_LIMIT + 3)
    ]
    assert len(mail.outbox) == RESET_LINK_LIMIT  # a stranger cannot flood the inbox
    assert len(set(pages)) == 1  # nor learn from the page that the limit was reached
    last = emailed_link()
    assert client.get(last).status_code == 200  # the holder's newest link still works
    assert AuditEntry.objects.filter(detail__event="password reset: limit").count() == 3


@pytest.mark.django_db(transaction=True)
def test_reset_requests_sent_at_once_are_held_to_the_limit():
    from linkwell.accounts.services import RESET_LINK_LIMIT, request_password_reset

    needs_concurrent_writers()
    user_with_role(Role.LINK_WORKER, PracticeFactory().parent, email="target@example.org")
    at_once(lambda: request_password_reset(email="target@example.org"), RESET_LINK_LIMIT + 5)
    assert len(mail.outbox) == RESET_LINK_LIMIT
