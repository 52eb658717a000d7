"""Set-up: settings from the environment, the linkwell command, production checks."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import dj_database_url
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent

PROD = {
    "LINKWELL_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "linkwell.example.nhs.uk",
    "DATABASE_URL": "sqlite:////tmp/linkwell-deploy-check.sqlite3",
    # production delivers for real: GOV.UK Notify and MESH (linkwell/delivery/checks.py)
    "NOTIFY_API_KEY": "live-00000000-0000-0000-0000-000000000000-00000000-0000-0000-0000-0000",
    "NOTIFY_TEMPLATE_TEXT": "11111111-1111-1111-1111-111111111111",
    "NOTIFY_TEMPLATE_EMAIL": "22222222-2222-2222-2222-222222222222",
    "NOTIFY_TEMPLATE_LETTER": "33333333-3333-3333-3333-333333333333",
    "MESH_URL": "https://mesh-sync.spineservices.nhs.uk",
    "MESH_MAILBOX": "X26ABC1",
    "MESH_PASSWORD": "password",
    # queued messages' text is sealed at rest (linkwell/delivery/sealing.py): a Fernet key
    "DELIVERY_KEYS": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
}


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "linkwell", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run("check", "--deploy", "--fail-level", "WARNING", env=PROD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_deploy_printing_texts_to_the_console():
    result = run(
        "check",
        "--deploy",
        env={**PROD, "TEXT_BACKEND": "linkwell.delivery.backends.ConsoleBackend"},
    )
    assert result.returncode != 0 and "linkwell.delivery.E001" in result.stderr


def test_production_refuses_to_deploy_without_a_key_for_queued_text():
    result = run("check", "--deploy", env={**PROD, "DELIVERY_KEYS": ""})
    assert result.returncode != 0 and "linkwell.delivery.E004" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run("check", env={**PROD, "SECRET_KEY": ""})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "url,engine,name",
    [
        ("sqlite:///var/db.sqlite3", "django.db.backends.sqlite3", "var/db.sqlite3"),
        ("postgres://user@host:5432/name", "django.db.backends.postgresql", "name"),
        ("postgresql://u:p@127.0.0.1/linkwell", "django.db.backends.postgresql", "linkwell"),
    ],
)
def test_database_url_forms(url, engine, name):
    config = dj_database_url.parse(url)
    assert (config["ENGINE"], config["NAME"]) == (engine, name)


def test_the_linkwell_command_runs_django_and_project_commands():
    result = run("help")
    assert result.returncode == 0
    for command in ("migrate", "runserver", "demo", "token"):
        assert command in result.stdout


def _pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text()
    return {canonicalize_name(n): v for n, v in re.findall(r"^([\w.\-]+)==(\S+)", text, re.M)}


def test_every_dependency_is_locked_and_the_image_pins_the_same_versions():
    """`make lock` after changing pyproject.toml: otherwise `make test` and the image would
    install something other than what CI tested."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    dev = {canonicalize_name(Requirement(r).name) for r in project["optional-dependencies"]["dev"]}
    locked, image = _pins("requirements.lock"), _pins("requirements-runtime.lock")
    assert runtime | dev <= set(locked), "run `make lock`"
    assert runtime <= set(image), "run `make lock`"
    assert {name: locked.get(name) for name in image} == image


def test_property_tests_are_not_timed():
    # conftest.py: a deadline would fail an example by the machine's load, not by the code.
    from hypothesis import HealthCheck, settings

    assert settings().deadline is None
    assert HealthCheck.too_slow in settings().suppress_health_check
