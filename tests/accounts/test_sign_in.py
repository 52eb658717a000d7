import pytest
from django.conf import settings
from django.core.management import call_command

from linkwell.accounts.models import ApiToken, AuditEntry
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post("/accounts/sign-in/", {"username": username, "password": password})


def test_passwords_are_hashed_with_argon2():
    user = UserFactory()
    assert user.password.startswith("argon2")


def test_sign_in_and_out(client):
    user = UserFactory()
    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post("/accounts/sign-out/")
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="sign_in", user=user).exists()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client):
    user = UserFactory()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        response = sign_in(client, user.username, "wrong")
        assert "Enter a correct username and password" in response.content.decode()
    response = sign_in(client, user.username, PASSWORD)
    assert "locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="locked_out").exists()


def test_a_success_resets_the_failure_count(client):
    user = UserFactory()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, user.username, "wrong")
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    client.post("/accounts/sign-out/")
    sign_in(client, user.username, "wrong")
    assert sign_in(client, user.username, PASSWORD).status_code == 302


def test_sessions_expire_when_idle():
    # A sliding 30-minute idle timeout: the cookie is renewed on every request.
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_an_idle_session_is_signed_out(client):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    user = UserFactory()
    client.force_login(user)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/caseload/").status_code == 302


def test_token_command_prints_a_token_stored_only_as_a_hash(capsys):
    user = UserFactory(username="gp-system")
    call_command("token", "create", "gp-system", "--name", "EMIS bridge")
    token = capsys.readouterr().out.strip()
    stored = ApiToken.objects.get(user=user)
    secret = token.split("_", 2)[2]  # the secret itself may hold "_" (URL-safe base64)
    assert (
        token.startswith("lw_") and stored.key_hash not in token and secret not in stored.key_hash
    )
    call_command("token", "revoke", stored.prefix)
    stored.refresh_from_db()
    assert stored.revoked_at is not None
