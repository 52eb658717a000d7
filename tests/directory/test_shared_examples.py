"""Every ORUK/HSDS example in ../shared/data: imports and round-trips, or is refused and why.

Skipped where ../shared is absent (the copies in tests/fixtures/directory always run).
"""

import io
import json
from pathlib import Path

import pytest

from linkwell.directory.exporting import export_services
from linkwell.directory.importing import ImportRefused, import_services

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
LATITUDE_100 = "service_at_locations[0].location.latitude: 100 is not a latitude"
NOT_SERVICES = "not services"

# path → None (round-trips) or the reason it is refused. The full examples place their one
# location at latitude 100, longitude 101 (outside WGS84); the rest are other ORUK entities.
EXPECTED = {
    "openreferral-uk-profile/examples/service_list.json": None,
    "openreferral-hsds/examples/service_list.json": None,
    "openreferral-uk-profile/examples/service_full.json": LATITUDE_100,
    "openreferral-uk-profile/examples/organization_full.json": LATITUDE_100,
    "openreferral-uk-profile/examples/service_at_location_full.json": LATITUDE_100,
    "openreferral-uk-profile/examples/service_at_location_list.json": LATITUDE_100,
    "openreferral-uk-profile/examples/csv": LATITUDE_100,
    "openreferral-hsds/examples/service_full.json": LATITUDE_100,
    "openreferral-hsds/examples/organization_full.json": LATITUDE_100,
    "openreferral-hsds/examples/service_at_location_full.json": LATITUDE_100,
    "openreferral-hsds/examples/service_at_location_list.json": LATITUDE_100,
    "openreferral-hsds/examples/csv": LATITUDE_100,
    "openreferral-uk-profile/examples/organization_list.json": NOT_SERVICES,
    "openreferral-uk-profile/examples/taxonomy.json": NOT_SERVICES,
    "openreferral-uk-profile/examples/taxonomy_list.json": NOT_SERVICES,
    "openreferral-uk-profile/examples/taxonomy_term.json": NOT_SERVICES,
    "openreferral-uk-profile/examples/taxonomy_term_list.json": NOT_SERVICES,
    "openreferral-hsds/examples/base.json": NOT_SERVICES,
    "openreferral-hsds/examples/location.json": NOT_SERVICES,
    "openreferral-hsds/examples/organization_list.json": NOT_SERVICES,
    "openreferral-hsds/examples/tabular.json": NOT_SERVICES,
    "openreferral-hsds/examples/taxonomy.json": NOT_SERVICES,
    "openreferral-hsds/examples/taxonomy_list.json": NOT_SERVICES,
    "openreferral-hsds/examples/taxonomy_term.json": NOT_SERVICES,
    "openreferral-hsds/examples/taxonomy_term_list.json": NOT_SERVICES,
}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not on this machine"),
]


def test_every_example_is_accounted_for():
    found = {str(p.relative_to(SHARED)) for p in SHARED.glob("openreferral-*/examples/*.json")} | {
        str(p.relative_to(SHARED)) for p in SHARED.glob("openreferral-*/examples/csv")
    }
    assert found == set(EXPECTED)


def _export() -> str:
    out = io.StringIO()
    export_services(out)
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example(name, tmp_path):
    reason = EXPECTED[name]
    if reason is None:
        import_services(source=SHARED / name)
        first = _export()
        again = tmp_path / "again.json"
        again.write_text(first)
        import_services(source=again)
        assert _export() == first
        assert json.loads(first)
    else:
        with pytest.raises(ImportRefused) as refused:
            import_services(source=SHARED / name)
        assert any(reason in str(p) for p in refused.value.problems), refused.value.problems
