"""The monthly national return: SNOMED CT coded social prescribing activity per PCN.

CSV layout (one row per PCN per concept, every PCN and concept present, zeros included):
  reporting_period  YYYY-MM
  pcn_ods_code      the PCN's ODS code (blank if none is recorded)
  pcn_name
  snomed_code       SNOMED CT concept id (linkwell/interop/snomed.py gives each one's source)
  snomed_term       its preferred term
  count             events in the month, under the disclosure rule ("*" = 1 to 7 hidden)
"""

import io
from datetime import date

from linkwell.interop import snomed
from linkwell.spreadsheets import csv_writer

from . import engine as engines
from .disclosure import Published, Rule, publish
from .lookups import pcns
from .periods import next_month, start_of
from .queries import Filters

HEADER = ["reporting_period", "pcn_ods_code", "pcn_name", "snomed_code", "snomed_term", "count"]
# Each concept and the aggregate that counts its events (the same events gp_record.py codes).
CONCEPTS = [
    (snomed.REFERRAL_TO_SOCIAL_PRESCRIBING, "coded_first_contacts"),
    (snomed.SOCIAL_PRESCRIBING_DECLINED, "coded_declines"),
    (snomed.REFERRAL_TO_PHYSICAL_ACTIVITY, "coded_physical_activity_referrals"),
]


def rows(month: date, pcn_ids, *, engine=None) -> list[list[str]]:
    engine = engine or engines.current()
    filters = Filters(
        pcn_ids=tuple(sorted(pcn_ids)), start=start_of(month), end=start_of(next_month(month))
    )
    networks = pcns(pcn_ids)
    found = {aggregate: dict(engine.run(aggregate, filters)) for _, aggregate in CONCEPTS}
    counts = [[found[aggregate].get(p.pk, 0) for p in networks] for _, aggregate in CONCEPTS]
    published = publish(counts, rule=Rule.from_settings())  # no totals: no secondary needed
    out = []
    for p_index, pcn in enumerate(networks):
        for c_index, (concept, _) in enumerate(CONCEPTS):
            value = Published.show(published.cells[c_index][p_index])
            out.append(
                [f"{month:%Y-%m}", pcn.ods_code, pcn.name, concept.code, concept.term, value]
            )
    return out


def to_csv(month: date, pcn_ids, *, engine=None) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows(month, pcn_ids, engine=engine))
    return out.getvalue()
