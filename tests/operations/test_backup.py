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
