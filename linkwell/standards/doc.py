"""docs/standards/prsb-social-prescribing.md, written from prsb_items.json (`linkwell standards
doc`), so the document and the data the code checks against cannot drift apart."""

from collections import Counter

from .items import document, items, minimum

INTRO = """# Social Prescribing Information Standard (PRSB v1.1): conformance

Generated from `linkwell/standards/prsb_items.json` by `linkwell standards doc`; edit the JSON,
not this file. `tests/standards/test_items.py` reads the table below: an item without a
mapping, a mapping to a model or field that does not exist, or a test that does not exist fails
it.

## Source

- {title}, version {version}, released {release}.
- Model: {model_url}
- Standard's page: {page_url}
- Licence: {licence}
- Read on {read_on}, from {read_from}.

Every concept of the full standard is listed below: {total} ({groups} groups, {leaf} items);
status as the standard gives it: {statuses}. Names, cardinalities, statuses and SNOMED CT ids
are the standard's; the short descriptions are Linkwell's summaries of the standard's
descriptions, and the notes say how Linkwell keeps the item.

## Not available

{missing}

## Where Linkwell keeps each item

{stored} of the {total} concepts are kept in Linkwell's data model (column "Stored in":
`app.Model` or `app.Model.field`, each item in one place); {not_stored} are not stored, each
with its reason (mostly data minimisation: social prescribing does not need them, or the GP
record holds them); {not_applicable} do not apply to social prescribing in Linkwell (children,
specialty and service codes the standard's own guidance says need not be used, an optional
section Linkwell does not record), each with its reason.

## The minimum set

The MVIS list could not be read, so `linkwell standards check`, the case page's "Not yet
recorded" panel, `missing_items` in `GET /api/v1/cases/{{id}}`, the managers' page at
/standards/ and the message back count Linkwell's reading of the full standard, its **minimum
set** (column "Minimum"): every group and item the standard marks M (mandatory), unless it sits
in a group that does not apply, plus two the standard's own guidance says must be filled in
(basis "guidance"). The Required (R) items are recorded where Linkwell keeps them but not
counted.

{minimum}

A referral missing the person's name or date of birth, the reason for referral or the person's
consent is refused with the item named (form, API and FHIR). The items above that may follow
the referral are accepted without it and shown as a gap on the case until recorded.

## Message back to GP and referrer

Sent from the case page ("Review and send the message back"), as a FHIR R4 document Bundle
(Composition with one section per row of the table below, built and validated with
`fhir.resources` R4B), an HTML letter and a PDF; each sent message is stored unchanged
(`standards.MessageBack`, updates and deletes refused) and audited. Sending needs the person's
agreement, recorded as a consent ("Sending a summary back to the GP and referrer"), and is
refused, naming the items, while a minimum item the message carries is empty. The same through
the API: `POST /api/v1/cases/{{id}}/message-back` (`recipient`, `consent_given`). The letter and
the document: `/standards/cases/{{id}}/letter.html`, `.pdf` and `.fhir` (the latest sent, or
`?message=ID`; a draft to the GP before anything is sent).

Sections follow the full standard's groups and are titled as it titles them, "Plan and
requested actions" first as its guidance asks; the separate message-back model, with its own
section list and codes, could not be read.

| Section | Section code | GP | Referrer who is not the GP | Items |
| --- | --- | --- | --- | --- |
{sections}

A referrer who is not the GP receives who the person is (without their address), the referral
and what became of it, the plan and the link worker: enough to close their referral. What the
person said matters to them, their risks, the services they used and their scores are shared
with the GP only (data minimisation). The GP copy goes to the practice recorded as the person's
GP practice (its ODS code; the organisation's name when the practice uses Linkwell), or, for
older records, the practice that referred; it cannot be sent when the person has no registered
practice (V81997).

Sent messages appear in the person's subject access export. Erasing a person's record leaves
them as sent: each is the record of a disclosure, and the GP already holds its copy.

The Composition's `event.code` is SNOMED CT 871731000000106 |Referral to social prescribing
service| (source in `linkwell/interop/snomed.py`). Section codes ("Section code" above) are the
SNOMED CT record headings NHS England's ITK3 FHIR documents put in `Composition.section.code`
for the same PRSB headings, where there is one: source NHS Digital, ITK3 FHIR Digital Medicines
implementation guide, "Digital Medicines Headings", column "SNOMED Concept"
(nhsconnect/ITK-FHIR-Digital-Medicines `pages/explore/explore_headings.md`, commit
47b004b4ad9d8f5ae70ebd8042717d17fa25b85b; displays from each heading's example section, commit
0abe60e3fdd04fb60c0e5bc8ac8d63a6618d2187), cited in `linkwell/interop/message_back.py`. The
other sections, and the document type (`Composition.type`, and the DocumentReference that
lists sent messages), keep Linkwell's system `{local}`: no sourced concept was found for them.
"Signpost details" is coded 975131000000104 |Signposting| only in an example the guide marks
"illustrative only", and is not in its headings table, so it is not used.

## Items

Status: M mandatory, R required, O optional, "—" where the standard gives none. Minimum: "M" or
"guidance" for the minimum set (above), "no" otherwise.

{header}
{rows}
"""

COLUMNS = (
    "Id",
    "Item",
    "Type",
    "Section",
    "Cardinality",
    "Status",
    "SNOMED CT",
    "Minimum",
    "Stored in",
    "Test",
    "About",
)


def _cell(value) -> str:
    text = " ".join(str(value).split()) if value not in (None, "") else "—"
    return text.replace("|", "\\|")


def _row(i) -> str:
    about = i.description + (f" Linkwell: {i.note}" if i.note else "")
    cells = [
        i.id,
        i.name,
        i.kind,
        _cell(i.section),
        i.cardinality,
        _cell(i.status),
        _cell(", ".join(i.snomed)),
        i.minimum_basis or "no",
        "; ".join(s if s.startswith("not ") else f"`{s}`" for s in i.stores),
        f"`{i.test}`",
        about,
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _code(coding: dict) -> str:
    if "display" in coding:  # SNOMED CT
        return f"SNOMED CT {coding['code']} \\|{coding['display']}\\|"
    return f"`{coding['code']}` (Linkwell)"


def render() -> str:
    from linkwell.interop.message_back import LOCAL, SECTIONS, section_coding

    source, every = document()["source"], items()
    kinds = Counter(i.kind for i in every)
    statuses = Counter(i.status or "none" for i in every)
    kept = Counter(i.stores[0].split(":")[0] if not i.stored else "stored" for i in every)
    sections = "\n".join(
        f"| {s.title} | {_code(section_coding(s.code))} | yes | "
        f"{'yes' if s.for_referrer else 'no'} | {', '.join(s.items)} |"
        for s in SECTIONS
    )
    return INTRO.format(
        **source,
        total=len(every),
        local=LOCAL,
        groups=kinds["group"],
        leaf=kinds["item"],
        statuses=", ".join(f"{k} {v}" for k, v in sorted(statuses.items())),
        stored=kept["stored"],
        not_stored=kept["not stored"],
        not_applicable=kept["not applicable"],
        missing="\n".join(f"- {m}" for m in document()["not_available"]),
        minimum="\n".join(
            f"- {i.label} (`{i.id}`, {i.status or '—'}, {i.cardinality}; basis {i.minimum_basis})"
            + (f": {i.completed_later}" if i.completed_later else "")
            for i in minimum()
        ),
        sections=sections,
        header="| " + " | ".join(COLUMNS) + " |\n" + "| --- " * len(COLUMNS) + "|",
        rows="\n".join(_row(i) for i in every),
    )
