import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from linkwell.accounts.models import Role
from tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


def code_for(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def password_step(client, user):
    return client.post("/accounts/sign-in/", {"username": user.username, "password": PASSWORD})


def test_without_a_device_or_requirement_the_password_is_enough(client, link_worker):
    assert password_step(client, link_worker).url == "/"
    assert client.session.get("_auth_user_id") == str(link_worker.pk)


def test_a_required_organisation_makes_members_set_up_an_authenticator(client, pcn):
    pcn.require_two_factor = True
    pcn.save()
    worker = user_with_role(Role.LINK_WORKER, pcn)
    response = password_step(client, worker)
    assert response.url.startswith("/accounts/sign-in/code/")
    assert "_auth_user_id" not in client.session  # not signed in after the password alone
    page = client.get(response.url).content.decode()
    assert "Set up two-factor sign-in" in page and "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user=worker, confirmed=False)

    done = client.post("/accounts/sign-in/code/", {"code": code_for(device)})
    assert done.status_code == 302
    assert client.session.get("_auth_user_id") == str(worker.pk)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/caseload/").status_code == 200


def test_a_user_with_a_device_is_asked_for_a_code_and_a_wrong_one_is_refused(client, link_worker):
    device = TOTPDevice.objects.create(user=link_worker, name="phone", confirmed=True)
    response = password_step(client, link_worker)
    page = client.get(response.url).content.decode()
    assert "Enter your code" in page and "data:image" not in page
    wrong = "000000" if code_for(device) != "000000" else "111111"
    refused = client.post("/accounts/sign-in/code/", {"code": wrong})
    assert "That code is not right" in refused.content.decode()
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
