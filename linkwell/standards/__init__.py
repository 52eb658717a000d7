"""England's Social Prescribing Information Standard (PRSB v1.1): which of its items Linkwell
records where, how complete a caseload is, and the message back to the GP and referrer.

`completeness(cases)` is the public entry point for reports (see gaps.py).
"""


def completeness(cases):
    """[(item name, cases recording it, cases it applies to)] for each minimum item."""
    from .gaps import completeness as count

    return count(cases)
