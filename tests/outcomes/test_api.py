"""The JSON API for measures: list with change, record, instruments; errors with the field path."""

import pytest

from linkwell.accounts.models import AuditEntry, Role
from linkwell.accounts.services import create_token
from linkwell.outcomes.models import Administration
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}


def post(client, case, body, user):
    return client.post(
        f"/api/v1/cases/{case.pk}/measures", body, content_type="application/json", **bearer(user)
    )


def test_instruments_describe_items_options_and_thresholds(client, link_worker):
    data = {i["code"]: i for i in client.get("/api/v1/instruments", **bearer(link_worker)).json()}
    assert set(data) >= {"swemwbs", "wemwbs", "ons4", "ucla3", "ons-loneliness", "pam"}
    assert len(data["swemwbs"]["items"]) == 7 and data["swemwbs"]["items"][0]["options"][0] == {
        "value": 1,
        "label": "None of the time",
    }
    assert data["swemwbs"]["measures"][0]["meaningful_change"] == 2.87
    assert data["pam"]["licensed"] is True and data["pam"]["items"] == []


def test_record_then_list_with_the_change_from_baseline(client, case, link_worker):
    first = post(
        client,
        case,
        {"instrument": "ucla3", "timepoint": "baseline", "answers": [3, 3, 2]},
        link_worker,
    )
    assert first.status_code == 201, first.content
    assert first.json()["score"] == 8 and first.json()["band"] == "lonely"
    post(
        client,
        case,
        {"instrument": "ucla3", "timepoint": "follow_up", "mode": "phone", "answers": [1, 2, 1]},
        link_worker,
    )
    listed = client.get(f"/api/v1/cases/{case.pk}/measures", **bearer(link_worker)).json()
    assert listed["count"] == 2
    later = listed["items"][1]["change"]["score"]
    assert later["delta"] == -4 and later["improved"] is True and later["meaningful"] is None


@pytest.mark.parametrize(
    "body,loc",
    [
        (
            {"instrument": "swemwbs", "timepoint": "baseline", "answers": [3] * 6},
            ["body", "answers"],
        ),
        (
            {"instrument": "swemwbs", "timepoint": "baseline", "answers": [3, 3, 3, 3, 3, 3, 8]},
            ["body", "answers", "6"],
        ),
        ({"instrument": "nope", "timepoint": "baseline", "answers": [1]}, ["body", "instrument"]),
        (
            {"instrument": "pam", "timepoint": "baseline", "answers": [1, 2], "score": 50},
            ["body", "answers"],
        ),
    ],
)
def test_bad_measures_get_422_with_the_field_path_and_store_nothing(
    client, case, link_worker, body, loc
):
    response = post(client, case, body, link_worker)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert not Administration.objects.exists()


def test_another_pcns_case_is_404_and_audited(client, case, stranger):
    body = {"instrument": "ucla3", "timepoint": "baseline", "answers": [1, 1, 1]}
    assert post(client, case, body, stranger).status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/measures", **bearer(stranger)).status_code == 404
    assert AuditEntry.objects.filter(action="denied", user=stranger).count() == 2
    assert not Administration.objects.exists()


def test_a_manager_reads_but_cannot_record(client, case, pcn):
    manager = user_with_role(Role.MANAGER, pcn)
    assert client.get(f"/api/v1/cases/{case.pk}/measures", **bearer(manager)).status_code == 200
    body = {"instrument": "ucla3", "timepoint": "baseline", "answers": [1, 1, 1]}
    assert post(client, case, body, manager).status_code == 403
