"""Which needs a taxonomy term serves: the bridge from referral reasons to directory services.

Linkwell's own vocabulary (used by the demo and recommended to local publishers) maps each term
to the needs in `linkwell.cases.needs.Need` explicitly. Terms from other vocabularies (e.g. the
LGA/esd "Service types" list councils publish with ORUK) are mapped by words in their name, so a
council's "Befriending services" term serves loneliness without anyone mapping it by hand.
"""

import re
import uuid

from linkwell.cases.needs import Need

TAXONOMY_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://linkwell.nhs.example/taxonomy/needs"))
TAXONOMY_NAME = "Linkwell social prescribing"

N = Need
# code → (name, needs served)
TERMS: dict[str, tuple[str, tuple[Need, ...]]] = {
    "befriending": ("Befriending", (N.LONELINESS, N.MENTAL_WELLBEING)),
    "social-groups": ("Social groups and clubs", (N.LONELINESS,)),
    "gardening": ("Gardening and green spaces", (N.PHYSICAL_ACTIVITY, N.MENTAL_WELLBEING)),
    "walking": ("Walking groups", (N.PHYSICAL_ACTIVITY, N.LONELINESS)),
    "physical-activity": ("Exercise and sport", (N.PHYSICAL_ACTIVITY,)),
    "arts": ("Arts, crafts and music", (N.MENTAL_WELLBEING, N.LONELINESS)),
    "wellbeing": ("Talking and wellbeing groups", (N.MENTAL_WELLBEING,)),
    "debt-advice": ("Debt and money advice", (N.MONEY,)),
    "benefits-advice": ("Benefits and legal advice", (N.MONEY, N.LEGAL)),
    "food-bank": ("Food banks and pantries", (N.FOOD,)),
    "energy-advice": ("Warm homes and energy advice", (N.FUEL, N.MONEY)),
    "housing-advice": ("Housing advice", (N.HOUSING,)),
    "carers-support": ("Support for carers", (N.CARERS,)),
    "bereavement": ("Bereavement support", (N.BEREAVEMENT, N.MENTAL_WELLBEING)),
    "volunteering": ("Volunteering", (N.LONELINESS, N.WORK, N.MENTAL_WELLBEING)),
    "employment-support": ("Employment, training and skills", (N.WORK,)),
    "digital-skills": ("Getting online", (N.DIGITAL,)),
    "healthy-eating": ("Healthy eating and weight", (N.WEIGHT_AND_DIET,)),
    "substance-use": ("Alcohol, smoking and drugs", (N.SUBSTANCE_USE,)),
    "condition-support": ("Living with a long-term condition", (N.LONG_TERM_CONDITION,)),
    "community-transport": ("Community transport", (N.TRANSPORT,)),
}

# Words in another vocabulary's term name → the needs it serves.
KEYWORDS: list[tuple[re.Pattern, tuple[Need, ...]]] = [
    (re.compile(p, re.I), needs)
    for p, needs in [
        (r"befriend|lonel|isolat|social (group|club)|lunch club|coffee morning", (N.LONELINESS,)),
        (r"counsel|mental|wellbeing|anxiety|depress", (N.MENTAL_WELLBEING,)),
        (r"walk|exercis|sport|fitness|garden|allotment|physical", (N.PHYSICAL_ACTIVITY,)),
        (r"debt|money|budget|financ", (N.MONEY,)),
        (r"housing|homeless|tenan", (N.HOUSING,)),
        (r"food|pantry|meal", (N.FOOD,)),
        (r"fuel|energy|warm home", (N.FUEL,)),
        (r"employ|job|training|skills|volunteer", (N.WORK,)),
        (r"carer", (N.CARERS,)),
        (r"bereave|grief", (N.BEREAVEMENT,)),
        (r"diabet|arthritis|long[- ]term condition|pain|copd|stroke", (N.LONG_TERM_CONDITION,)),
        (r"weight|healthy eating|nutrition", (N.WEIGHT_AND_DIET,)),
        (r"alcohol|smok|drug|substance", (N.SUBSTANCE_USE,)),
        (r"digital|online skills|computer", (N.DIGITAL,)),
        (r"transport|travel", (N.TRANSPORT,)),
        (r"benefit|legal|immigration|citizens advice", (N.LEGAL,)),
    ]
]

NEED_BITS = {need: 1 << i for i, need in enumerate(Need)}


def term_id(code: str) -> str:
    return str(uuid.uuid5(uuid.UUID(TAXONOMY_ID), code))


def needs_for_term(code: str, name: str) -> set[Need]:
    if code in TERMS:
        return set(TERMS[code][1])
    return {n for pattern, needs in KEYWORDS if pattern.search(name or code) for n in needs}


def mask(needs) -> int:
    result = 0
    for need in needs:
        result |= NEED_BITS[Need(need)]
    return result


def needs_in(value: int) -> list[Need]:
    return [need for need, bit in NEED_BITS.items() if value & bit]
