"""ONS4 personal wellbeing: four questions, each answered 0–10.

Source: GSS harmonised standard "Personal well-being",
https://gss.civilservice.gov.uk/policy-store/personal-well-being/ — question wording, 0–10 scale.
Thresholds: ONS personal well-being bulletins and the ONS FOI response quoting them —
life satisfaction, worthwhile and happiness 0–4 low, 5–6 medium, 7–8 high, 9–10 very high;
anxiety reads the other way: 0–1 very low, 2–3 low, 4–5 medium, 6–10 high.
ONS reports the four questions separately and publishes no combined score, so neither do we.
"""

from .definition import Instrument, InvalidAnswers, Item, Measure, Option, Scored, band_for

SOURCE = "https://gss.civilservice.gov.uk/policy-store/personal-well-being/"

POSITIVE_BANDS = ((0, 4, "low"), (5, 6, "medium"), (7, 8, "high"), (9, 10, "very high"))
ANXIETY_BANDS = ((0, 1, "very low"), (2, 3, "low"), (4, 5, "medium"), (6, 10, "high"))


def _scale(least: str, most: str) -> tuple[Option, ...]:
    return tuple(
        Option(n, {0: f"0 – {least}", 10: f"10 – {most}"}.get(n, str(n))) for n in range(11)
    )


QUESTIONS = (
    ("life_satisfaction", "Overall, how satisfied are you with your life nowadays?"),
    (
        "worthwhile",
        "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
    ),
    ("happiness", "Overall, how happy did you feel yesterday?"),
    ("anxiety", "On a similar scale, overall, how anxious did you feel yesterday?"),
)
ITEMS = tuple(Item(key, text, _scale("not at all", "completely")) for key, text in QUESTIONS)
LABELS = {
    "life_satisfaction": "Life satisfaction",
    "worthwhile": "Worthwhile",
    "happiness": "Happiness",
    "anxiety": "Anxiety",
}
# We found no published individual meaningful-change threshold for the ONS4 questions, so
# none is set: the page shows the change and the band, and says there is no threshold.
MEASURES = tuple(
    Measure(key, f"{LABELS[key]} (0–10)", 0, 10, higher_is_better=key != "anxiety")
    for key, _ in QUESTIONS
)


def _score(instrument: Instrument, answers: list[int | None]) -> Scored:
    # ONS analyses each question on its own, so an unanswered question is simply not
    # reported; the others still stand. All four unanswered is nothing to record.
    if all(a is None for a in answers):
        raise InvalidAnswers("Answer at least one of the four questions.", item=0)
    bands, values = {}, {}
    for item, answer in zip(instrument.items, answers, strict=True):
        if answer is None:
            continue
        scale = ANXIETY_BANDS if item.key == "anxiety" else POSITIVE_BANDS
        bands[item.key] = band_for(answer, scale)
        values[item.key] = answer
    return Scored(instrument.code, raw=None, score=None, bands=bands, measures=values)


ONS4 = Instrument(
    code="ons4",
    name="ONS4 personal wellbeing",
    items=ITEMS,
    measures=MEASURES,
    scorer=_score,
    source=SOURCE,
    instructions=(
        "The next questions are about how you feel about aspects of your life. For each, give "
        "an answer on a scale of 0 to 10, where 0 is 'not at all' and 10 is 'completely'."
    ),
)
