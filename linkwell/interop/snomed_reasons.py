"""SNOMED CT codes a referrer's system sends on a ServiceRequest → what Linkwell makes of them.

Two tables, both data with their source (nothing here is guessed: a code not listed is kept as
sent and, as a reason, becomes "other"):
- SOCIAL_PRESCRIBING: the accept-list for `ServiceRequest.code`. A request coded with anything
  else (a colonoscopy, a CT scan, an ECG) is not a social prescribing referral and is refused.
- REASONS: findings given as `reasonCode` (or the `code` of a Condition the request gives as
  its `reasonReference`) → the Linkwell need they are a reason for.

Sources:
- [GM-SDE] Greater Manchester Secure Data Environment code set
  "social-care-prescribing-referral" v1 (UoM-Data-Science-Platforms/gm-sde,
  shared/clinical-code-sets/referrals/social-care-prescribing-referral/1/, commit 30096ae1;
  SNOMED CT UK release 29.3.0, 2020-06-10; licence not stated), copied in
  ../shared/data/snomed-social-prescribing/. Its terms include referral to physical activity
  and weight management programmes as social prescribing referrals.
- [NHSE-FAQ] NHS England's guidance quoted in "Social Prescribing Link Workers' FAQs" (see
  snomed.py): 871731000000106 is the referral to a link worker.
- [GRAVITY] HL7 Gravity SDOH Clinical Care IG v2.3.0 examples (CC0), copied in
  ../shared/data/fhir-sdoh-clinicalcare/ and tests/fixtures/interop/: the SNOMED CT codes of
  their Conditions, Observations and ServiceRequest category.
"""

from linkwell.cases.needs import Need

from .snomed import SYSTEM

# code → (term, the need it is a referral for or None, source)
SOCIAL_PRESCRIBING = {
    "871731000000106": ("Referral to social prescribing service", None, "GM-SDE; NHSE-FAQ"),
    "390893007": ("Referral to physical activity program", Need.PHYSICAL_ACTIVITY, "GM-SDE"),
    "771491000000104": (
        "Referral to local authority weight management programme",
        Need.WEIGHT_AND_DIET,
        "GM-SDE",
    ),
    "837111000000105": (
        "Referral to residential weight management programme",
        Need.WEIGHT_AND_DIET,
        "GM-SDE",
    ),
}
# [GRAVITY] SDOHCC ServiceRequests carry this category beside their SDOH domain; it marks a
# social care request coded in a national extension (US codes such as 467771000124109
# "Assistance with application for food pantry program"), which is accepted.
SOCIAL_SERVICE_PROCEDURE = "410606002"

# code → (term, need, source)
REASONS = {
    "733423003": ("Food insecurity", Need.FOOD, "GRAVITY Condition FoodInsecurity"),
    "699653008": (
        "Inadequate oral food intake for physiological needs",
        Need.FOOD,
        "GRAVITY Observation AssessmentInadequateFoodIntake (food insecurity assessment)",
    ),
    "32911000": ("Homeless", Need.HOUSING, "GRAVITY Condition Homeless"),
    "73438004": ("Unemployed", Need.WORK, "GRAVITY Condition Unemployed"),
    "160695008": (
        "Transport too expensive",
        Need.TRANSPORT,
        "GRAVITY Observation AssessmentTransportTooExpensive",
    ),
    **{code: row for code, row in SOCIAL_PRESCRIBING.items() if row[1] is not None},
}


def _snomed(concept) -> list[str]:
    return [c.code for c in (concept.coding or []) if c.system == SYSTEM and c.code]


def is_social_prescribing(concept) -> bool:
    """A `ServiceRequest.code` on the accept-list."""
    return any(code in SOCIAL_PRESCRIBING for code in _snomed(concept))


def is_social_service(concept) -> bool:
    """A `ServiceRequest.category` saying social service procedure (the Gravity pattern)."""
    return SOCIAL_SERVICE_PROCEDURE in _snomed(concept)


def needs(concept) -> list[str]:
    """The Linkwell needs a concept's SNOMED CT codings stand for (codes, in order)."""
    return [REASONS[code][1] for code in _snomed(concept) if code in REASONS]
