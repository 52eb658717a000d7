"""Data migrations run on the records a live database already holds."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cases", "0009_referral_identifier"), ("accounts", "0007_inbox_digest")]
AFTER = [("cases", "0010_task_organisation")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_latest_after():
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_tasks_made_before_they_carried_a_pcn_are_given_their_cases(at_latest_after):
    apps = migrate(BEFORE)
    Organisation = apps.get_model("accounts", "Organisation")
    Person = apps.get_model("people", "Person")
    Referral = apps.get_model("cases", "Referral")
    Case = apps.get_model("cases", "Case")
    Task = apps.get_model("cases", "Task")
    made = []
    for name in ("North PCN", "South PCN"):
        pcn = Organisation.objects.create(name=name, kind="pcn")
        person = Person.objects.create(
            organisation=pcn, given_name="Ann", family_name="Lee", date_of_birth=date(1950, 1, 1)
        )
        referral = Referral.objects.create(
            organisation=pcn,
            person=person,
            source="self",
            reasons=["loneliness"],
            consent_given=True,
        )
        case = Case.objects.create(referral=referral, person=person, organisation=pcn)
        made.append((Task.objects.create(case=case, title="Call", due_on=date(2026, 1, 5)), pcn))

    Task = migrate(AFTER).get_model("cases", "Task")
    assert [Task.objects.get(pk=task.pk).organisation_id for task, _ in made] == [
        pcn.pk for _, pcn in made
    ]
