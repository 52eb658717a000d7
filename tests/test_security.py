"""Web security settings that every page relies on."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "linkwell"


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accounts/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_scripts_or_styles():
    # The policy forbids inline code, so inline code would silently not run: keep it out.
    offenders = []
    for path in TEMPLATES.rglob("templates/**/*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text):
            offenders.append(f"{path}: inline <script>")
        if re.search(r"\sstyle=\"|<style", text):
            offenders.append(f"{path}: inline style")
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path}: inline event handler")
    assert not offenders, offenders


@pytest.mark.django_db
def test_forms_are_csrf_protected(link_worker):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(link_worker)
    assert client.post("/referrals/new/", {}).status_code == 403


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_healthz_says_unavailable_when_the_database_is_down(rf, monkeypatch):
    from django.db import connection

    from linkwell.healthz import healthz

    def broken():
        raise ConnectionError("database is down")

    monkeypatch.setattr(connection, "cursor", broken)
    assert healthz(rf.get("/healthz")).status_code == 503
