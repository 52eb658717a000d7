"""The pages: taking a measure on the phone-sized form, the case page section, access."""

import re

import pytest

from linkwell.accounts.models import AuditEntry, Role
from linkwell.outcomes.models import Administration
from linkwell.outcomes.services import record_administration
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

SWEMWBS_KEYS = [
    "optimistic",
    "useful",
    "relaxed",
    "dealing_with_problems",
    "thinking_clearly",
    "close_to_others",
    "own_mind",
]


def form(values, timepoint="baseline", mode="in_person"):
    return {
        "timepoint": timepoint,
        "mode": mode,
        "taken_on": "",
        **dict(zip(SWEMWBS_KEYS, map(str, values), strict=True)),
    }


@pytest.fixture
def signed_in(client, link_worker):
    client.force_login(link_worker)
    return client


def test_choosing_a_measure_lists_every_instrument(signed_in, case):
    page = signed_in.get(f"/cases/{case.pk}/measures/new/").content.decode()
    for name in (
        "SWEMWBS",
        "WEMWBS",
        "ONS4",
        "UCLA",
        "ONS direct loneliness",
        "Patient Activation",
    ):
        assert name in page


def test_the_form_has_a_radio_group_per_question(signed_in, case):
    page = signed_in.get(f"/cases/{case.pk}/measures/new/?instrument=swemwbs").content.decode()
    # 7 questions, timepoint and mode; then the timepoint of the "send a link" form.
    assert page.count('class="nhsuk-fieldset"') == 7 + 2 + 1
    assert page.count('type="radio"') == 7 * 5 + 3 + 3 + 3


def test_taking_a_baseline_and_follow_up_shows_the_change_on_the_case(signed_in, case):
    url = f"/cases/{case.pk}/measures/new/?instrument=swemwbs"
    today = __import__("django").utils.timezone.localdate().isoformat()
    first = signed_in.post(url, {**form([2] * 7), "taken_on": today})
    assert first.status_code == 302 and first["Location"].endswith(
        f"/cases/{case.pk}/measures/#measures"
    )
    signed_in.post(url, {**form([3] * 7, timepoint="follow_up"), "taken_on": today})
    page = signed_in.get(f"/cases/{case.pk}/measures/").content.decode()
    section = page[page.index('id="measures"') : page.index("</main>")]
    assert "<svg" in section and 'class="lw-chart__line"' in section
    assert "15.32" in section and "19.25" in section and "+3.93" in section
    assert "Meaningful improvement" in section and "Shah et al. 2018" in section
    assert not re.search(r'\sstyle="', section)


def test_errors_are_shown_by_the_question_and_nothing_is_saved(signed_in, case):
    url = f"/cases/{case.pk}/measures/new/?instrument=swemwbs"
    values = form([3] * 7)
    values["relaxed"] = ""
    values["taken_on"] = __import__("django").utils.timezone.localdate().isoformat()
    page = signed_in.post(url, values).content.decode()
    assert 'id="id_relaxed-error"' in page and "Question 3 is not answered" in page
    values.update(relaxed="3", taken_on="2001-01-01")
    page = signed_in.post(url, values).content.decode()
    assert 'href="#id_taken_on">Date taken: The measure cannot be before the referral' in page
    assert not Administration.objects.exists()


def test_pam_asks_for_the_score_never_the_items(signed_in, case):
    page = signed_in.get(f"/cases/{case.pk}/measures/new/?instrument=pam").content.decode()
    assert "Score from the licensed tool" in page and page.count('type="radio"') == 6
    today = __import__("django").utils.timezone.localdate().isoformat()
    done = signed_in.post(
        f"/cases/{case.pk}/measures/new/?instrument=pam",
        {"timepoint": "baseline", "mode": "phone", "taken_on": today, "score": "61.2", "level": ""},
    )
    assert done.status_code == 302
    assert Administration.objects.get().band == "Level 3"


def test_an_unknown_instrument_is_not_found(signed_in, case):
    assert signed_in.get(f"/cases/{case.pk}/measures/new/?instrument=phq9").status_code == 404


def test_another_pcns_case_is_404_and_audited(client, case, stranger):
    client.force_login(stranger)
    for url in (
        f"/cases/{case.pk}/measures/new/?instrument=swemwbs",
        f"/cases/{case.pk}/measures/new/",
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(f"/cases/{case.pk}/measures/new/?instrument=swemwbs", form([3] * 7)).status_code
        == 404
    )
    assert AuditEntry.objects.filter(action="denied", user=stranger).count() == 3
    assert not Administration.objects.exists()


def test_managers_see_measures_but_cannot_take_them(client, case, pcn, link_worker):
    record_administration(
        case=case,
        instrument="ucla3",
        answers=[3, 3, 2],
        timepoint="baseline",
        mode="phone",
        by=link_worker,
    )
    manager = user_with_role(Role.MANAGER, pcn)
    client.force_login(manager)
    page = client.get(f"/cases/{case.pk}/measures/").content.decode()
    assert "UCLA 3-item loneliness scale" in page and "Take a measure" not in page
    assert client.get(f"/cases/{case.pk}/measures/new/").status_code == 403


def test_making_a_link_shows_it_once(signed_in, case):
    made = signed_in.post(
        f"/cases/{case.pk}/measures/link/", {"instrument": "ucla3", "timepoint": "baseline"}
    )
    assert made.status_code == 201
    url = re.search(r'id="self-completion-link">([^<]+)<', made.content.decode()).group(1)
    assert "/m/" in url


def test_an_admin_defines_a_local_measure_on_a_page(client, pcn):
    admin = user_with_role(Role.ADMIN, pcn.parent)
    client.force_login(admin)
    saved = client.post(
        "/outcomes/instruments/",
        {
            "name": "Garden club check-in",
            "code": "garden-club",
            "statements": "I felt part of the group\nI learned something new",
            "options": "0 = Not at all\n1 = A little\n2 = A lot",
            "higher_is_better": "on",
        },
    )
    assert saved.status_code == 302
    assert "Garden club check-in" in client.get("/outcomes/instruments/").content.decode()
    bad = client.post(
        "/outcomes/instruments/",
        {"name": "X", "code": "x", "statements": "a", "options": "nonsense"},
    )
    assert bad.status_code == 422 and "number = its label" in bad.content.decode()


def test_link_workers_cannot_define_measures(signed_in):
    assert signed_in.get("/outcomes/instruments/").status_code == 403


def test_the_cohort_report(client, case, pcn, link_worker):
    for timepoint, answers in (("baseline", [2] * 7), ("follow_up", [3] * 7)):
        record_administration(
            case=case,
            instrument="swemwbs",
            answers=answers,
            timepoint=timepoint,
            mode="in_person",
            by=link_worker,
        )
    client.force_login(user_with_role(Role.MANAGER, pcn))
    page = client.get("/outcomes/report/").content.decode()
    row = re.search(r"SWEMWBS metric score.*?</tr>", page, re.S).group(0)
    assert ">1<" in row and "3.93" in row
