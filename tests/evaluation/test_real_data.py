"""Checks against the full public files; skipped where they are not present."""

from linkwell.evaluation.ledger import Ledger
from linkwell.evaluation.pipeline import build_exposure
from linkwell.evaluation.workforce import load_workforce, national_totals

# Per-census SPLW FTE and PCNs with any link worker record, as listed in
# ../shared/data/nhs-public/README.md (NHS Digital, PCN Workforce).
PUBLISHED = {
    "2020-03": (112.3, 106),
    "2020-06": (431.3, 322),
    "2020-09": (615.7, 428),
    "2020-12": (852.5, 545),
    "2021-03": (1093.3, 631),
    "2021-06": (1260.8, 688),
    "2021-09": (1427.5, 753),
    "2021-12": (1612.0, 802),
    "2022-03": (1740.9, 835),
    "2022-06": (1902.8, 869),
    "2022-09": (2047.0, 886),
}


def test_national_link_worker_fte_matches_nhs_digital_for_every_census(real_data):
    totals = national_totals(load_workforce(real_data / "pcn_workforce", ledger=Ledger()))
    got = {str(r.census): (round(r.fte, 1), r.pcns) for r in totals.itertuples()}
    assert got == PUBLISHED


def test_real_exposure_is_plausible(real_data):
    exposure = build_exposure(real_data / "pcn_workforce", real_data / "payments", ledger=Ledger())
    latest = exposure.practices[exposure.practices["census"] == exposure.practices["census"].max()]
    # About 2,000 FTE over ~62 million patients: ~1.6 per 50,000 on average.
    assert 1.2 < latest["fte_per_50k"].mean() < 2.2
    assert latest["practice_code"].nunique() > 6000
