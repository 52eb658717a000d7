import pytest
from django.core.management import call_command
from django.db import connection

from linkwell.cases import services
from linkwell.cases.models import Case
from linkwell.operations.backup import digest
from tests.factories import make_case


@pytest.mark.django_db(transaction=True)
def test_a_restore_brings_back_exactly_what_was_backed_up(tmp_path, link_worker, pcn):
    for name in ("Ada", "Bea", "Cy"):
        make_case(pcn=pcn, by=link_worker, given_name=name)
    before = digest()
    target = tmp_path / ("backup.sqlite3" if connection.vendor == "sqlite" else "backup.dump")
    call_command("backup", str(target))
    assert target.stat().st_size > 0

    # Life goes on after the backup: a new case, a changed one.
    make_case(pcn=pcn, by=link_worker, given_name="Dee")
    services.transition(case=Case.objects.first(), to="declined", by=link_worker)
    assert digest() != before

    call_command("restore", str(target), "--yes")
    after = digest()
    assert after == before
    assert after["cases_case"][0] == 3
    assert after["accounts_auditentry"][0] > 0  # the audit log comes back too


@pytest.mark.django_db
def test_restore_from_a_missing_file_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No backup at"):
        call_command("restore", str(tmp_path / "nothing.dump"), "--yes")


@pytest.mark.parametrize("operation", ["backup", "restore"])
def test_the_postgresql_password_never_reaches_the_command_line(tmp_path, monkeypatch, operation):
    """Issue 15, item 15: every user of the host can read a command line; the password goes in
    the tools' environment (PGPASSWORD)."""
    from types import SimpleNamespace

    from linkwell.operations import backup as module

    password = "s3cret p@ss/word"  # noqa: S105 — a test value
    database = {"NAME": "linkwell", "USER": "app", "PASSWORD": password, "HOST": "db", "PORT": 5432}
    monkeypatch.setattr(
        module,
        "connection",
        SimpleNamespace(vendor="postgresql", settings_dict=database, close=lambda: None),
    )
    monkeypatch.setattr(module.shutil, "which", lambda name: f"/usr/bin/{name}")
    calls = []

    def run(args, **kwargs):
        calls.append((args, kwargs["env"]))
        return SimpleNamespace(returncode=0, stderr="")

    monkeypatch.setattr(module.subprocess, "run", run)
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"")
    getattr(module, operation)(dump)
    ((args, env),) = calls
    from urllib.parse import quote

    assert not [a for a in args if password in a or quote(password) in a or "s3cret" in a]
    assert env["PGPASSWORD"] == password and "postgresql://app@db:5432/linkwell" in " ".join(args)
