"""Demo places: postcode centroids (approximate) and practice deprivation and list sizes (real
figures for a sample of practices, with stand-ins for the demo practices; see
fixtures/SOURCE.md)."""

from pathlib import Path

from .services import import_imd, import_list_sizes, import_onspd

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = FIXTURES / "onspd_demo_sample.csv"
PRACTICE_IMD = FIXTURES / "practice_imd_demo.csv"
LIST_SIZES = FIXTURES / "practice_list_sizes_demo.csv"


def load(*, seed: int) -> dict[str, int]:
    return {
        "postcode centroids": import_onspd(path=SAMPLE),
        "practices with IMD": import_imd(path=PRACTICE_IMD)[0],
        "practices with list sizes": import_list_sizes(path=LIST_SIZES),
    }
