"""A method a path does not take is a 405 in the API's own shape, naming what it takes."""

import json

import pytest

from linkwell.accounts.services import create_token

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["delete", "put", "patch"])
def test_a_wrong_method_is_a_json_405_with_allow(client, referrer, method):
    token = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=referrer)}"}
    response = getattr(client, method)("/api/v1/referrals", **token)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
    assert json.loads(response.content)["detail"].startswith(f"{method.upper()} is not allowed")
