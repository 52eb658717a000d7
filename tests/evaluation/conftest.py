import os
from pathlib import Path

import pytest

from linkwell.evaluation import synthetic
from linkwell.evaluation.ledger import Ledger

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "evaluation"
# The full public files sit beside the repository in the development setup;
# LINKWELL_NHS_PUBLIC_DATA points elsewhere.
REAL_DATA = Path(
    os.environ.get(
        "LINKWELL_NHS_PUBLIC_DATA",
        Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "nhs-public",
    )
)


@pytest.fixture
def real_data() -> Path:
    if not (REAL_DATA / "pcn_workforce").is_dir():
        pytest.skip(
            f"full NHS public files not found at {REAL_DATA} (set LINKWELL_NHS_PUBLIC_DATA)"
        )
    return REAL_DATA


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture
def gpps_dir(tmp_path):
    """GPPS CSVs for 2018-2024 in the published layouts, for 40 synthetic practices."""
    exposure = synthetic.staggered_exposure(40, range(2018, 2025), seed=3)
    counts = synthetic.simulate_counts(exposure, true_or=1.05, seed=3)
    synthetic.write_gpps_csvs(counts, tmp_path / "gpps", suppressed=0.05, seed=3)
    return tmp_path / "gpps"
