"""Structured logs: JSON lines, a request id, and no patient identifiers."""

import io
import json
import logging
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkwell.logs import redact
from tests.factories import valid_nhs_number

NHS = "943 476 5919"
POSTCODE = "LS1 4AP"


@contextmanager
def captured_log_lines():
    """The lines the configured console handler writes, as parsed JSON (the real wiring)."""
    (handler,) = [h for h in logging.getLogger().handlers if h.name == "console"]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        handler.setStream(previous)
        lines.extend(json.loads(line) for line in buffer.getvalue().splitlines())


@pytest.mark.django_db
def test_a_request_line_carries_neither_the_query_nor_identifiers_in_the_path(client, link_worker):
    client.force_login(link_worker)
    with captured_log_lines() as lines:
        client.get(f"/people/{NHS.replace(' ', '')}/{POSTCODE}/", {"q": f"Ann Other {NHS}"})
        client.get("/api/v1/cases", {"q": "Ann Other", "status": "received"})
    text = json.dumps(lines)
    assert "9434765919" not in text and NHS not in text
    assert POSTCODE not in text and "Ann" not in text and "?" not in text
    requests = [line for line in lines if line["logger"] == "linkwell.request"]
    assert [r["path"] for r in requests] == ["/people/[nhs-number]/[postcode]/", "/api/v1/cases"]
    assert {r["user_id"] for r in requests} == {link_worker.pk}
    assert requests[0]["status"] == 404 and requests[1]["status"] == 200
    assert all(r["method"] == "GET" and r["duration_ms"] >= 0 for r in requests)
    # Django's own "Not Found" warning went through the same filter.
    assert any(line["logger"] == "django.request" for line in lines)


@pytest.mark.django_db
def test_the_request_id_is_echoed_and_logged(client):
    with captured_log_lines() as lines:
        given_id = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.1")["X-Request-ID"]
        made_id = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n{injected}")["X-Request-ID"]
    assert given_id == "lb-7f3a.1"
    assert len(made_id) == 32 and "injected" not in made_id  # replaced, not trusted
    assert [line["request_id"] for line in lines] == [given_id, made_id]
    assert all("user_id" not in line for line in lines)  # nobody signed in


def test_the_safety_net_masks_identifiers_in_any_message_and_in_tracebacks():
    with captured_log_lines() as lines:
        logging.getLogger("linkwell.test").warning(
            "Sent to %s at %s, ring 07700 900123 or +44 113 496 0000, NHS %s",
            "ann.other@example.org",
            "sw1a 1aa",
            "9434765919",
        )
        try:
            raise ValueError(f"Key (nhs_number)=({'9434765919'}) already exists")
        except ValueError:
            logging.getLogger("linkwell.test").exception("Could not save")
    first, second = lines
    assert first["message"] == (
        "Sent to [email] at [postcode], ring [phone] or [phone], NHS [nhs-number]"
    )
    assert first["level"] == "WARNING" and first["logger"] == "linkwell.test"
    assert "[nhs-number]" in second["exception"] and "9434765919" not in second["exception"]


@pytest.mark.django_db
def test_a_single_use_links_secret_is_masked_in_the_request_line(client):
    secret = "Xy7_" + "k" * 39  # the shape of secrets_store.new_secret()
    with captured_log_lines() as lines:
        client.get(f"/accounts/link/{secret}/")
    assert secret not in json.dumps(lines)
    (request,) = [line for line in lines if line["logger"] == "linkwell.request"]
    assert request["path"] == "/accounts/link/Xy7_…/"


def test_ordinary_log_text_is_left_alone():
    text = "GET /api/v1/cases/12345/contacts 201 in 38.2 ms, worker 4021, 2026-03-01T10:15:00"
    assert redact(text) == text


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["", " ", "-"]))
def test_every_nhs_number_is_masked_however_it_is_spaced(seq, sep):
    digits = valid_nhs_number(seq)
    written = sep.join([digits[:3], digits[3:6], digits[6:]])
    assert digits[:6] not in redact(f"person {written} seen").replace(sep, "")
