"""An ICB commissioner lands on the headline figures and the PCN-by-PCN comparison, at phone
and desktop size, with no way into a person's record."""

import pytest
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from tests.e2e.journeys import sign_in
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_commissioner_lands_on_the_headlines(screen):
    practice = PracticeFactory()
    make_case(practice=practice, given_name="Iris", family_name="Hale")
    commissioner = user_with_role(Role.COMMISSIONER, practice.parent.parent)
    sign_in(screen, commissioner.username)  # checks where they land with axe-core
    expect(screen.get_by_role("heading", name="Headline figures", exact=True)).to_be_visible()
    comparison = screen.get_by_role("table", name="Headline figures, PCN by PCN")
    expect(comparison).to_contain_text(practice.parent.name)
    expect(screen.get_by_role("link", name="Caseload", exact=True)).to_have_count(0)
    expect(screen.locator("main")).not_to_contain_text("Iris")
