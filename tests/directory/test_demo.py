import random

import pytest

from linkwell.directory import demo
from linkwell.directory.importing import import_records
from linkwell.directory.models import Service

pytestmark = pytest.mark.django_db


def test_demo_services_are_valid_oruk_with_schedules_costs_languages_and_eligibility():
    result = import_records(records=demo.service_records(random.Random(7), 60), label="demo")
    assert result.created == 60
    services = Service.objects.all()
    assert all(s.name.endswith("(demo)") and s.need_mask and s.open_slots for s in services)
    assert services.filter(is_free=True).exists() and services.filter(is_free=False).exists()
    assert services.filter(minimum_age__isnull=False).exists()
    assert services.filter(online=True).exists() and services.filter(in_person=True).exists()
    assert services.exclude(language_names="english").exists()
