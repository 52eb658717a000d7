"""The one mapping from a person's stated language to a shipped translation."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from linkwell.portal.languages import ENGLISH, SHIPPED, WELSH, language_code
from tests.factories import arrange

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "written,code",
    [
        ("English", ENGLISH),
        ("english ", ENGLISH),
        ("", ENGLISH),
        ("   ", ENGLISH),
        (None, ENGLISH),
        ("Saesneg", ENGLISH),
        ("Welsh", WELSH),
        ("WELSH", WELSH),
        ("Cymraeg", WELSH),
        ("yn Gymraeg", WELSH),
        ("Welsh (Cymraeg)", WELSH),
        ("Cymraeg / Welsh", WELSH),
        ("cy", WELSH),
        ("Polish", None),
        ("British Sign Language", None),
        ("Urdu", None),
        ("Welshpool", None),  # a word containing "welsh" is not Welsh
    ],
)
def test_stated_languages_map_to_shipped_translations(written, code):
    assert language_code(written) == code


@given(st.text(max_size=60))
def test_the_answer_is_always_shipped_or_none(text):
    assert language_code(text) in (*SHIPPED, None)


@given(st.sampled_from(["Welsh", "Cymraeg", "English"]), st.text(" \t\n", max_size=5))
def test_case_and_spacing_do_not_matter(word, space):
    assert language_code(space + word.upper() + space) == language_code(word)


def test_each_shipped_language_has_a_catalogue():
    for code in SHIPPED:
        with translation.override(code):
            assert translation.get_language() == code
    with translation.override(WELSH):
        assert translation.gettext("Thank you") == "Diolch"


def test_the_self_referral_form_switches_to_welsh_and_staff_pages_stay_english(client):
    page = client.get("/refer-yourself/?lang=cy")
    html = page.content.decode()
    assert 'lang="cy"' in html and "Atgyfeirio eich hun at bresgripsiynu cymdeithasol" in html
    assert "Enw cyntaf" in html and "Unigrwydd ac arwahanrwydd" in html and "English" in html
    assert page.cookies["linkwell_language"].value == "cy"
    assert "Cymraeg" in client.get("/refer-yourself/").content.decode()  # remembered
    assert 'lang="cy"' in client.get("/refer-yourself/").content.decode()
    sign_in = client.get("/accounts/sign-in/").content.decode()
    assert 'lang="en-GB"' in sign_in and "Skip to main content" in sign_in


@pytest.mark.parametrize(
    "language,interpreter,shown,absent",
    [
        ("Polish", True, ["Messages go in English", "Polish", "needs an interpreter"], []),
        ("Welsh", False, ["in Welsh (Cymraeg)"], ["Messages go in English"]),
        ("English", False, [], ["Messages go in English", "in Welsh"]),
    ],
)
def test_the_case_page_shows_staff_the_language_of_messages(
    client, case, worker, language, interpreter, shown, absent
):
    arrange(case.person, preferred_language=language, interpreter_needed=interpreter)
    client.force_login(worker)
    html = client.get(f"/cases/{case.pk}/connections/").content.decode()
    for words in shown:
        assert words in html
    for words in absent:
        assert words not in html
