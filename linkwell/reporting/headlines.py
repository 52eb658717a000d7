"""The managers' landing page: a few headline figures for the PCNs a user reports on, and the
same figures PCN by PCN to compare them.

One table, PCNs by figure, published under the disclosure rule like every other table; the
headline figures are its column totals, so they are rounded from the true totals and a hidden
PCN figure cannot be recovered from them (secondary suppression in `disclosure.publish`).
"""

from dataclasses import replace

from . import lookups
from .queries import Filters
from .sections import Section, outcome_pairs
from .sections import improved as improved_count
from .tables import PublishedTable, Table

FIGURES = [
    "Referrals",
    "Waiting for first contact",
    "Onward referrals made",
    "Onward referrals attended",
    "Outcome improved",
    "Outcome same or worse",
]


def figures(engine, f: Filters) -> list[int]:
    """The true counts behind each of FIGURES, for the filters' PCNs together."""
    referrals = sum(row[-1] for row in engine.run("referrals_by_month_and_source", f))
    waiting = sum(n for days, n in engine.run("days_to_first_contact", f) if days is None)
    connections = engine.run("connections_by_category", f)
    made = sum(row[1] for row in connections)
    attended = sum(row[3] for row in connections)
    pairs = outcome_pairs(engine, f)
    better = sum(improved_count(code, found) for code, found in pairs.items())
    measured = sum(len(found) for found in pairs.values())
    return [referrals, waiting, made, attended, better, measured - better]


def comparison(engine, f: Filters) -> list[Table]:
    pcns = lookups.pcns(f.pcn_ids)
    return [
        Table(
            "pcn_comparison",
            "Headline figures, PCN by PCN",
            "PCN",
            [p.name for p in pcns],
            FIGURES,
            [figures(engine, replace(f, pcn_ids=(p.pk,))) for p in pcns],
            column_totals=True,
            note="Referrals received in the period; of them, those not contacted yet. Onward "
            "referrals made in the period, and those the person went to. Outcome: people with "
            "a baseline and a later score in the period, one count per measure, against their "
            "baseline.",
        )
    ]


def headline(table: PublishedTable) -> list[tuple[str, int | str]]:
    """(figure, published total) for the top of the page: the comparison's total row."""
    return list(zip(table.heading[1:], table.footer[1:], strict=True))


HEADLINES: list[Section] = [
    Section(
        "headlines",
        "PCN by PCN",
        "The headline figures for each PCN you report on, for the period.",
        comparison,
    )
]
