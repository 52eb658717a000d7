"""Demo postcode centroids for the two demo PCNs (approximate: see fixtures/SOURCE.md)."""

from pathlib import Path

from .services import import_onspd

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "onspd_demo_sample.csv"


def load(*, seed: int) -> dict[str, int]:
    return {"postcode centroids": import_onspd(path=SAMPLE)}
