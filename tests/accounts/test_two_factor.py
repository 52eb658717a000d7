import re

import pytest
from django.conf import settings
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from linkwell.accounts.models import AuditEntry, Role
from tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


def code_for(device, *, steps_ahead=0) -> str:
    # A code is refused if already used (replay); the app's next code is within tolerance.
    drift = device.drift + steps_ahead
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def wrong_code(device) -> str:
    return "000000" if code_for(device) != "000000" else "111111"


def password_step(client, user):
    return client.post("/accounts/sign-in/", {"username": user.username, "password": PASSWORD})


def emailed_link(outbox_index=-1) -> str:
    return re.search(r"/accounts/link/[^/\s]+/", mail.outbox[outbox_index].body).group(0)


@pytest.fixture
def required_pcn(pcn):
    pcn.require_two_factor = True
    pcn.save()
    return pcn


def test_without_a_requirement_the_password_is_enough(client, link_worker):
    assert password_step(client, link_worker).url == "/"
    assert client.session.get("_auth_user_id") == str(link_worker.pk)


def test_enrolment_is_emailed_to_the_holder_never_shown_after_the_password(client, required_pcn):
    """Issue 15 item 14: whoever knows the password must not be the first to see the secret."""
    worker = user_with_role(Role.LINK_WORKER, required_pcn, email="lena@example.org")
    page = password_step(client, worker).content.decode()
    assert "Check your email" in page and "data:image" not in page
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/sign-in/code/").url == "/accounts/sign-in/"
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert mail.outbox[-1].to == ["lena@example.org"]
    password_step(client, worker)  # asking again within 15 minutes sends no second email
    assert len(mail.outbox) == 1

    setup = client.get(emailed_link()).content.decode()
    assert "Set up two-factor sign-in" in setup and "data:image/svg+xml" in setup
    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    assert client.post(emailed_link(), {"code": code_for(device)}).url == "/accounts/sign-in/"
    assert "_auth_user_id" not in client.session  # the link alone never signs anyone in
    assert client.get(emailed_link()).status_code == 410  # used

    response = password_step(client, worker)
    assert response.url.startswith("/accounts/sign-in/code/")
    assert client.post(response.url, {"code": code_for(device, steps_ahead=1)}).status_code == 302
    assert client.session.get("_auth_user_id") == str(worker.pk)
    assert client.get("/caseload/").status_code == 200


def test_without_an_email_address_the_user_is_told_to_ask_their_admin(client, required_pcn):
    worker = user_with_role(Role.LINK_WORKER, required_pcn)
    assert "no email address" in password_step(client, worker).content.decode()
    assert "_auth_user_id" not in client.session


def test_signed_in_is_audited_only_after_the_code_and_a_wrong_code_is_audited(client, required_pcn):
    worker = user_with_role(Role.LINK_WORKER, required_pcn)
    device = TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
    response = password_step(client, worker)
    assert not AuditEntry.objects.filter(action="sign_in", user=worker).exists()
    refused = client.post(response.url, {"code": wrong_code(device)})
    assert "That code is not right" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="sign_in_failed", user=worker).count() == 1
    client.post(response.url, {"code": code_for(device)})
    assert AuditEntry.objects.filter(action="sign_in", user=worker).count() == 1


def test_wrong_codes_count_towards_one_lock_out_even_when_the_password_is_given_again(
    client, required_pcn
):
    """Issue 15 item 10: the code counter used to reset with every right password."""
    worker = user_with_role(Role.LINK_WORKER, required_pcn)
    device = TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(password_step(client, worker).url, {"code": wrong_code(device)})
    refused = password_step(client, worker)
    assert "locked" in refused.content.decode()
    assert AuditEntry.objects.filter(action="locked_out").exists()


def test_wrong_passwords_and_wrong_codes_share_the_lock_out(client, required_pcn):
    worker = user_with_role(Role.LINK_WORKER, required_pcn)
    device = TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        client.post("/accounts/sign-in/", {"username": worker.username, "password": "wrong"})
    step = password_step(client, worker).url
    client.post(step, {"code": wrong_code(device)})
    locked = client.post(step, {"code": code_for(device)})
    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_code_step_needs_the_password_step_first(client):
    assert client.get("/accounts/sign-in/code/").url == "/accounts/sign-in/"


def test_an_admin_requires_it_and_unverified_sessions_end(client, pcn, link_worker):
    admin = user_with_role(Role.ADMIN, pcn.parent)
    client.force_login(link_worker)
    assert client.get("/caseload/").status_code == 200
    other = client.__class__()
    other.force_login(admin)
    assert (
        other.post(f"/accounts/organisations/{pcn.pk}/two-factor/", {"required": "yes"}).status_code
        == 302
    )
    pcn.refresh_from_db()
    assert pcn.require_two_factor
    assert client.get("/caseload/").url == "/accounts/sign-in/"


def test_stop_requiring_stops_asking_even_members_with_an_authenticator(client, required_pcn):
    worker = user_with_role(Role.LINK_WORKER, required_pcn)
    TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
    admin = user_with_role(Role.ADMIN, required_pcn.parent)
    client.force_login(admin)
    client.post(f"/accounts/organisations/{required_pcn.pk}/two-factor/", {"required": "no"})
    client.post("/accounts/sign-out/")
    assert password_step(client, worker).url == "/"
    assert client.session.get("_auth_user_id") == str(worker.pk)


def test_provider_organisations_are_in_the_two_factor_policy(client, pcn):
    from linkwell.accounts.models import Organisation

    provider = Organisation.objects.create(name="Walking Group", kind="provider", parent=pcn.parent)
    client.force_login(user_with_role(Role.ADMIN, pcn.parent))
    assert "Walking Group" in client.get("/accounts/organisations/").content.decode()
    client.post(f"/accounts/organisations/{provider.pk}/two-factor/", {"required": "yes"})
    provider.refresh_from_db()
    assert provider.require_two_factor


def test_admins_manage_only_organisations_beneath_them(client, pcn, other_practice):
    admin = user_with_role(Role.ADMIN, pcn)
    client.force_login(admin)
    assert other_practice.name not in client.get("/accounts/organisations/").content.decode()
    assert (
        client.post(
            f"/accounts/organisations/{other_practice.pk}/two-factor/", {"required": "yes"}
        ).status_code
        == 404
    )
