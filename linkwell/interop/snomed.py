"""SNOMED CT concepts for the steps of social prescribing, for write-back to the GP record.

Only concepts found in published material are used; each carries its source. Steps with no
concept in that material are deliberately left uncoded (see UNCODED) rather than guessed.

Sources:
- [NHSE-FAQ] NHS Transformation Partners in Health and Care, "Social Prescribing Link Workers'
  FAQs", quoting NHS England's guidance: the two codes link workers should use —
  https://www.transformationpartnersinhealthandcare.nhs.uk/our-work/personalised_care/arrs-roles/social-prescribing/faqs/
- [GM-SDE] Greater Manchester Secure Data Environment clinical code set
  "social-care-prescribing-referral" v1 (UoM-Data-Science-Platforms/gm-sde, built from the
  SNOMED CT UK release 29.3.0, 2020-06-10); copied in ../shared/data/snomed-social-prescribing/.
"""

from dataclasses import dataclass

SYSTEM = "http://snomed.info/sct"


@dataclass(frozen=True)
class Concept:
    code: str
    term: str
    semantic_tag: str  # "procedure" → FHIR Procedure; "situation" → FHIR Observation
    source: str


# [NHSE-FAQ]: "to be used when an individual accepts a referral to the SPLW – for first
# interaction in an episode of care only, not to be used to code ongoing activity"; also in
# [GM-SDE]. Linkwell records it at the case's first contact.
REFERRAL_TO_SOCIAL_PRESCRIBING = Concept(
    "871731000000106", "Referral to social prescribing service", "procedure", "NHSE-FAQ; GM-SDE"
)
# [NHSE-FAQ]: "to be used when an individual declines a referral to the SPLW". Linkwell records
# it when a case becomes "declined".
SOCIAL_PRESCRIBING_DECLINED = Concept(
    "871711000000103", "Social prescribing declined", "situation", "NHSE-FAQ"
)
# [GM-SDE] (390893007 |Referral to physical activity program (procedure)|): recorded when a
# link worker refers someone to a directory service whose ORUK terms are physical activity.
REFERRAL_TO_PHYSICAL_ACTIVITY = Concept(
    "390893007", "Referral to physical activity program", "procedure", "GM-SDE"
)
PHYSICAL_ACTIVITY_TERMS = frozenset({"walking", "physical-activity"})

# No concept in the material above (left uncoded on purpose):
# - "social prescribing offered": believed to be 871691000000100 but unverified in any source
#   available here, so not used;
# - an onward referral to a service other than physical activity, and the provider's steps
#   (accepted, declined by the service, attended, did not attend, completed, withdrawn).
UNCODED = (
    "social prescribing offered",
    "onward referral (other than physical activity)",
    "accepted by the service",
    "declined by the service",
    "attended",
    "did not attend",
    "completed",
    "withdrawn",
)


def coding(concept: Concept) -> dict:
    return {"system": SYSTEM, "code": concept.code, "display": concept.term}
