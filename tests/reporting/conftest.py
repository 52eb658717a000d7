import pytest

from tests.reporting.world import build_world


@pytest.fixture
def world(db):
    return build_world()
