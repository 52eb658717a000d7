"""A service's website is http or https only, however it arrives (issue 15, item 13)."""

import pytest

from linkwell.accounts.models import Role
from linkwell.directory.models import Service
from linkwell.directory.web_addresses import web_address
from tests.directory import test_views
from tests.directory.factories import record
from tests.directory.test_import import refused, write
from tests.factories import user_with_role

DANGEROUS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/",
    "https://",
    "https:/\\evil.example",
    "https://exa mple.org",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_only_web_addresses_are_accepted(value):
    with pytest.raises(ValueError, match="https://"):
        web_address(value)


@pytest.mark.parametrize("value", ["https://example.org/x?y=1", "HTTP://example.org", "", None])
def test_web_addresses_pass(value):
    assert web_address(value) == (value or "")


world = test_views.world  # the directory views' fixture


@pytest.mark.django_db
@pytest.mark.parametrize("value", DANGEROUS[:6])
def test_the_provider_edit_form_refuses_them(client, world, value):
    account, service = test_views._provider_world(world)
    client.force_login(user_with_role(Role.PROVIDER, account))
    response = client.post(
        f"/directory/services/{service.pk}/edit/",
        {"name": "Lunch club", "description": "Soup.", "status": "active", "url": value},
    )
    assert response.status_code != 302 and "https://" in response.content.decode()
    service.refresh_from_db()
    assert service.url == ""


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["url", "organization.website"])
def test_an_import_refuses_them_and_imports_nothing(tmp_path, where):
    bad = record(name="Bad link")
    if where == "url":
        bad["url"] = "javascript:alert(1)"
    else:
        bad["organization"]["website"] = "javascript:alert(1)"
    problems = refused(write(tmp_path, [record(name="Good"), bad]))
    assert any("javascript:alert(1)" in p and "https://" in p for p in problems), problems
    assert not Service.objects.exists()
