"""Staff accounts in the browser: an admin invites, the person sets up their account and
authenticator; password reset; deactivation; two-factor reset; single sign-on."""

import re
from base64 import b32decode
from datetime import timedelta

import httpx
import pytest
from django.core import mail
from django_otp.oath import totp
from playwright.sync_api import expect

from linkwell.accounts.models import Role, User
from linkwell.accounts.services import create_token
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import open_from_header, sign_in, sign_out
from tests.factories import PASSWORD, PracticeFactory, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-long-new-passphrase-42"


@pytest.fixture(autouse=True)
def emails_sent_at_once(settings):
    """Account emails go through the outbox; its sending task runs at once, as `linkwell
    worker` would run it, into Django's memory mail backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def emailed_link(to: str) -> str:
    body = next(m.body for m in reversed(mail.outbox) if m.to == [to])
    return re.search(r"/accounts/link/[^/\s]+/", body).group(0)


def app_code(page, *, steps_ahead=0) -> str:
    """What an authenticator app shows for the key on the set-up page (the next code, for a
    sign-in in the same 30 seconds as the set-up, as a used code is refused)."""
    key = b32decode(page.locator("#totp-secret").inner_text())
    return f"{totp(key, drift=steps_ahead):06d}"


def go(page, path):
    page.goto(path)
    assert_accessible(page)


def submit(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    assert_accessible(page)


@pytest.fixture
def area():
    practice = PracticeFactory()
    pcn = practice.parent
    admin = user_with_role(Role.ADMIN, pcn.parent, first_name="Ada", last_name="Mills")
    return pcn, admin


def test_invitation_first_sign_in_and_two_factor_set_up(page, browser, live_server, area):
    pcn, admin = area
    pcn.require_two_factor = True
    pcn.save()
    sign_in(page, admin.username)
    open_from_header(page, "Staff")
    assert_accessible(page)
    page.get_by_role("link", name="Invite a member of staff").click()
    assert_accessible(page)
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Jones")
    page.get_by_label("Email address").fill("nia.jones@example.org")
    page.get_by_label("Organisation").select_option(label=pcn.name)
    page.get_by_label("Role").select_option(label="Link worker")
    submit(page, "Invite a member of staff")
    expect(page.get_by_role("heading", name="Nia Jones")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Invited")

    # Nia, on her own phone, opens the emailed link.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    nia = context.new_page()
    go(nia, emailed_link("nia.jones@example.org"))
    expect(nia.get_by_role("heading", name="Set up your Linkwell account")).to_be_visible()
    nia.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    nia.get_by_label("New password again").fill(NEW_PASSWORD)
    nia.get_by_label("Code from your authenticator app").fill(app_code(nia))
    code_next = app_code(nia, steps_ahead=1)
    submit(nia, "Continue")
    expect(nia.locator("main")).to_contain_text("Welcome to Linkwell")
    expect(nia.get_by_role("link", name="Caseload")).to_be_visible()

    # Her next sign-in asks for the password, then the code.
    sign_out(nia)
    nia.get_by_label("Username").fill("nia.jones@example.org")
    nia.get_by_label("Password").fill(NEW_PASSWORD)
    submit(nia, "Sign in")
    expect(nia.get_by_role("heading", name="Enter your code")).to_be_visible()
    nia.get_by_label("Code from your authenticator app").fill(code_next)
    submit(nia, "Continue")
    expect(nia.get_by_role("link", name="Caseload")).to_be_visible()
    context.close()

    page.reload()
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text("Active")


def test_forgotten_password(page, area):
    pcn, _ = area
    worker = user_with_role(Role.LINK_WORKER, pcn, email="forgetful@example.org")
    go(page, "/accounts/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    assert_accessible(page)
    page.get_by_label("Email address").fill("forgetful@example.org")
    submit(page, "Send the link")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    go(page, emailed_link("forgetful@example.org"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    submit(page, "Continue")
    expect(page.locator("main")).to_contain_text("Sign in with your password now")
    page.get_by_label("Username").fill(worker.username)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    submit(page, "Sign in")
    expect(page.get_by_role("link", name="Caseload")).to_be_visible()


def test_deactivation_ends_a_live_session_and_a_token_at_once(page, browser, live_server, area):
    pcn, admin = area
    worker = user_with_role(Role.LINK_WORKER, pcn, first_name="Lee", last_name="Gone")
    token = create_token(user=worker)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    theirs = context.new_page()
    sign_in(theirs, worker.username)
    expect(theirs.get_by_role("link", name="Caseload")).to_be_visible()
    bearer = {"Authorization": f"Bearer {token}"}
    assert theirs.request.get("/api/v1/cases", headers=bearer).status == 200

    sign_in(page, admin.username)
    open_from_header(page, "Staff")
    assert_accessible(page)
    page.get_by_role("link", name="Lee Gone").click()
    assert_accessible(page)
    submit(page, "Deactivate the account")
    expect(page.locator("main")).to_contain_text(
        "their sessions, tokens and emailed links no longer work"
    )

    theirs.reload()
    assert_accessible(theirs)
    expect(theirs.get_by_role("heading", name="Sign in to Linkwell")).to_be_visible()
    assert theirs.request.get("/api/v1/cases", headers=bearer).status == 401
    context.close()


def test_two_factor_reset_for_a_lost_phone(page, area):
    pcn, admin = area
    pcn.require_two_factor = True
    pcn.save()
    worker = user_with_role(
        Role.LINK_WORKER, pcn, first_name="Kai", last_name="Lost", email="kai@example.org"
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=worker, name="old phone", confirmed=True)
    sign_in(page, admin.username)
    open_from_header(page, "Staff")
    assert_accessible(page)
    page.get_by_role("link", name="Kai Lost").click()
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text("Authenticator app set up")
    submit(page, "Reset two-factor sign-in")
    expect(page.locator("main")).to_contain_text("Not set up")
    sign_out(page)

    go(page, emailed_link("kai@example.org"))
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(app_code(page))
    code_next = app_code(page, steps_ahead=1)
    submit(page, "Continue")
    page.get_by_label("Username").fill(worker.username)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign in")
    page.get_by_label("Code from your authenticator app").fill(code_next)
    submit(page, "Continue")
    expect(page.get_by_role("link", name="Caseload")).to_be_visible()


@pytest.fixture
def provider(settings):
    from oidc_provider_mock import run_server_in_thread

    from tests.accounts.test_single_sign_on import configure

    with run_server_in_thread(access_token_max_age=timedelta(minutes=5)) as server:
        url = f"http://localhost:{server.server_port}"
        configure(settings, url)
        yield url


def test_single_sign_on_with_the_local_provider(page, provider, area):
    pcn, _ = area
    worker = user_with_role(Role.LINK_WORKER, pcn, email="sso.worker@nhs.net")

    def person_signs_in_at_the_provider(route):
        # Linkwell sends the browser to the provider; what the person does on the provider's own
        # page (at CIS2, their smartcard) is done through that page's form, and the provider's
        # redirect back to Linkwell goes to the browser. (Playwright routes only the first
        # request of a redirect chain, so the chain is followed here.)
        start = route.fetch(max_redirects=0)
        assert start.headers["location"].startswith(provider)
        answer = httpx.post(start.headers["location"], data={"sub": "sso.worker@nhs.net"})
        headers = {"location": answer.headers["location"]}
        if "set-cookie" in start.headers:
            headers["set-cookie"] = start.headers["set-cookie"]
        route.fulfill(status=302, headers=headers)

    page.route(re.compile(r"/accounts/sign-in/sso/$"), person_signs_in_at_the_provider)
    go(page, "/accounts/sign-in/")
    page.get_by_role("link", name="Sign in with NHS Care Identity Service 2").click()
    expect(page.get_by_role("link", name="Caseload")).to_be_visible()
    assert_accessible(page)
    assert User.objects.get(pk=worker.pk).last_login is not None
