from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linkwell.geo.imd import AREA_YEAR, ImdFileError, is_area_file
from linkwell.geo.onspd import OnspdError
from linkwell.geo.services import (
    import_area_imd,
    import_imd,
    import_list_sizes,
    import_onspd,
    import_registered_population,
)


class Command(BaseCommand):
    help = (
        "Places: `geo import FILE` loads postcode centroids (ONS Postcode Directory CSV); "
        "`geo import-imd FILE` practice deprivation (Fingertips indicator 93553) or area "
        "deprivation (English Indices of Deprivation 2019 File 1, by LSOA); "
        "`geo import-list-sizes FILE` practice list sizes (NHS Payments to General Practice); "
        "`geo import-registered-population FILE` registered patients by sex and five-year age "
        "band (NHS Digital, Patients Registered at a GP Practice, gp-reg-pat-prac-quin-age.csv)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="Load an ONSPD CSV (e.g. ONSPD_MAY_2025_UK.csv).")
        load.add_argument("file", type=Path)
        deprivation = sub.add_parser(
            "import-imd", help="Load practice IMD scores or IoD2019 File 1 (CSV or .gz)."
        )
        deprivation.add_argument("file", type=Path)
        deprivation.add_argument("--year", type=int, help="IMD vintage (default: the latest).")
        sizes = sub.add_parser("import-list-sizes", help="Load practice list sizes (CSV or .gz).")
        sizes.add_argument("file", type=Path)
        population = sub.add_parser(
            "import-registered-population",
            help="Load registered patients by sex and age band (gp-reg-pat-prac-quin-age.csv).",
        )
        population.add_argument("file", type=Path)

    def handle(self, *args, action, file, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        try:
            if action == "import-imd" and is_area_file(file):
                if options.get("year") not in (None, AREA_YEAR):
                    raise CommandError(f"{file} is IMD {AREA_YEAR} by LSOA; --year does not apply.")
                count, year = import_area_imd(path=file)
                message = f"Loaded IMD {year} for {count} areas (LSOAs) from {file}."
            elif action == "import-imd":
                count, year = import_imd(path=file, year=options.get("year"))
                message = f"Loaded IMD {year} for {count} practices from {file}."
            elif action == "import-list-sizes":
                message = (
                    f"Loaded list sizes for {import_list_sizes(path=file)} practices from {file}."
                )
            elif action == "import-registered-population":
                practices, rows = import_registered_population(path=file)
                message = (
                    f"Loaded registered patients by sex and age band for {practices} practices "
                    f"({rows} rows) from {file}."
                )
            else:
                message = f"Loaded {import_onspd(path=file)} postcode centroids from {file}."
        except (OnspdError, ImdFileError) as e:
            raise CommandError(str(e)) from e
        self.stdout.write(message)
