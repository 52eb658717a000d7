"""The case's pages under one header: each a real, audited address; each action goes back to
the page it came from, and a refused form is shown there with all its errors."""

import pytest

from linkwell.accounts.models import AuditEntry
from linkwell.cases.models import Contact
from tests.factories import make_case

pytestmark = pytest.mark.django_db

# page address -> a heading only that page shows
PAGES = {
    "": "Follow-ups and tasks",
    "plan/": "Care and support plan",
    "connections/": "Support found",
    "measures/": "Outcome measures",
    "message-back/": "Message back to the GP and referrer",
}


@pytest.mark.parametrize("page, heading", PAGES.items())
def test_each_page_shows_its_section_under_the_header_and_audits_one_read(
    client, case, worker, page, heading
):
    client.force_login(worker)
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(f"/cases/{case.pk}/{page}")
    html = response.content.decode()
    assert response.status_code == 200
    assert heading in html
    assert f'href="/cases/{case.pk}/{page}" aria-current="page"' in html
    assert html.count('aria-current="page"') == 1
    assert "Record contact" in html and "Change status" in html  # the header's actions
    views = AuditEntry.objects.filter(id__gt=before, action="view")
    assert [(v.user_id, v.person_id) for v in views] == [(worker.pk, case.person_id)]
    others = [h for p, h in PAGES.items() if p != page]
    assert not any(f">{h}</h2>" in html for h in others), page


@pytest.mark.parametrize("page", PAGES)
def test_another_pcns_case_is_not_found(client, worker, other_practice, page):
    theirs = make_case(practice=other_practice)
    client.force_login(worker)
    assert client.get(f"/cases/{theirs.pk}/{page}").status_code == 404


@pytest.mark.parametrize(
    "action, data, page, errors",
    [
        ("care-plan", {"summary": "", "review_on": "not a date"}, "plan/", 2),
        ("follow-up-advice", {"follow_up_advice": ""}, "message-back/", 1),
        ("task", {"title": "", "due_on": ""}, "", 2),
    ],
)
def test_a_refused_form_is_shown_on_its_own_page_with_every_error(
    client, case, worker, action, data, page, errors
):
    client.force_login(worker)
    response = client.post(f"/cases/{case.pk}/{action}/", data)
    html = response.content.decode()
    assert response.status_code == 422
    assert f'href="/cases/{case.pk}/{page}" aria-current="page"' in html
    assert html.count('<span class="nhsuk-error-message"') >= errors


def test_a_goal_refused_for_want_of_a_plan_says_so_beside_the_goal(client, case, worker):
    """A goal sent from a page opened before the plan was withdrawn (or by hand) is refused by
    the service; the page shows the goal form with that error, not a page without it."""
    client.force_login(worker)
    response = client.post(f"/cases/{case.pk}/goal/", {"description": "Walk to the shops"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Agree a care plan before adding goals." in html
    assert 'value="Walk to the shops"' in html  # what was typed is kept


def test_an_action_goes_back_to_its_page(client, case, worker):
    client.force_login(worker)
    answer = client.post(f"/cases/{case.pk}/what-matters/", {"what_matters": "Her garden"})
    assert answer["Location"] == f"/cases/{case.pk}/plan/#what-matters"
    assert "Her garden" in client.get(f"/cases/{case.pk}/").content.decode()  # the summary too
    answer = client.post(f"/cases/{case.pk}/follow-up-advice/", {"follow_up_advice": "Walks"})
    assert answer["Location"] == f"/cases/{case.pk}/message-back/#follow-up-advice"


def test_the_headers_status_change_returns_to_the_page_it_was_made_on(client, case, worker):
    client.force_login(worker)
    answer = client.post(
        f"/cases/{case.pk}/transition/", {"to": "not_appropriate", "from": "measures"}
    )
    assert answer["Location"] == f"/cases/{case.pk}/measures/#transition"
    refused = client.post(f"/cases/{case.pk}/transition/", {"to": "contacted", "from": "plan"})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert f'href="/cases/{case.pk}/plan/" aria-current="page"' in html
    assert "Select a valid choice" in html


def test_a_refused_quick_contact_is_shown_on_the_page_it_came_from(client, case, worker):
    client.force_login(worker)
    refused = client.post(
        f"/cases/{case.pk}/quick-contact/",
        {"mode": "phone", "notes": "kept", "next": f"/cases/{case.pk}/connections/"},
    )
    html = refused.content.decode()
    assert refused.status_code == 422 and "kept" in html
    assert f'href="/cases/{case.pk}/connections/" aria-current="page"' in html
    assert not Contact.objects.filter(case=case).exists()


def test_caseload_rows_log_a_contact_and_come_back_with_the_query_kept(client, case, worker):
    client.force_login(worker)
    page = client.get("/caseload/?sort=waiting&new_page=1").content.decode()
    # The row's controls belong to its own form, outside the bulk form (forms cannot nest).
    form_id = f"row-contact-{case.pk}"
    assert f'form="{form_id}"' in page
    bulk_end = page.index("</form>", page.index('id="bulk-form"'))
    assert page.index(f'<form method="post" action="/cases/{case.pk}/quick-contact/"') > bulk_end
    assert page.count(f'id="{form_id}"') == 1
    assert 'value="/caseload/?sort=waiting&amp;new_page=1"' in page
    back = client.post(
        f"/cases/{case.pk}/quick-contact/",
        {"mode": "attempted", "next": "/caseload/?sort=waiting&new_page=1"},
    )
    assert back.status_code == 302 and back["Location"] == "/caseload/?sort=waiting&new_page=1"
    assert Contact.objects.get(case=case).mode == "attempted"
    for away in ("https://evil.example/caseload/", "//evil.example/", "javascript:alert(1)"):
        answer = client.post(
            f"/cases/{case.pk}/quick-contact/", {"mode": "attempted", "next": away}
        )
        assert answer["Location"] == f"/cases/{case.pk}/"


def test_header_forms_refused_on_the_timeline_are_shown_on_the_timeline(client, case, worker):
    client.force_login(worker)
    timeline = f"/cases/{case.pk}/timeline/"
    refused = client.post(f"/cases/{case.pk}/quick-contact/", {"mode": "video", "next": timeline})
    assert refused.status_code == 422
    assert f'href="{timeline}" aria-current="page"' in refused.content.decode()
    refused = client.post(f"/cases/{case.pk}/transition/", {"to": "", "from": "timeline"})
    assert refused.status_code == 422
    assert f'href="{timeline}" aria-current="page"' in refused.content.decode()
    done = client.post(f"/cases/{case.pk}/transition/", {"to": "declined", "from": "timeline"})
    assert done["Location"] == f"{timeline}#transition"
