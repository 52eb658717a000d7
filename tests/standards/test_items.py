"""The conformance document's table, read back: every item of the full standard mapped to a
field that exists (or a reason it is not stored), and to a test that exists; the document is
what `linkwell standards doc` writes from the JSON."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from linkwell.interop.message_back import SECTIONS
from linkwell.standards import doc, items
from linkwell.standards.gaps import CHECKS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "standards" / "prsb-social-prescribing.md"


def table() -> list[dict[str, str]]:
    text = DOC.read_text()
    lines = [line for line in text.split("## Items", 1)[1].splitlines() if line.startswith("| ")]
    cells = [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    return [dict(zip(cells[0], row, strict=True)) for row in cells[2:]]


def test_the_document_is_generated_from_the_items():
    assert DOC.read_text() == doc.render(), "run `linkwell standards doc` after editing the JSON"


def test_the_document_lists_every_item_once():
    ids = [row["Id"] for row in table()]
    assert sorted(ids) == sorted(i.id for i in items.items())
    assert len(ids) == len(set(ids))
    # The whole of the full standard v1.1 as read: 118 groups and 237 items.
    assert len(ids) == 355


def resolve(store: str):
    app_label, model, *field = store.split(".")
    model = apps.get_model(app_label, model)
    return model._meta.get_field(field[0]) if field else model


@pytest.mark.parametrize("row", table(), ids=lambda row: row["Id"])
def test_every_item_is_mapped_to_a_field_that_exists_and_a_test(row):
    item_id, stored, test = row["Id"], row["Stored in"], row["Test"].strip("`")
    assert stored and stored != "—", f"{item_id}: say where Linkwell stores it"
    if stored.startswith(("not stored", "not applicable")):
        assert len(stored.split(": ", 1)[-1]) > 10, f"{item_id}: give the reason"
        assert row["Minimum"] == "no" or stored.startswith("not stored"), item_id
    else:
        for store in re.findall(r"`([^`]+)`", stored):
            try:
                resolve(store)
            except (LookupError, FieldDoesNotExist) as e:
                pytest.fail(f"{item_id}: {store} does not exist ({e})")
    path, _, name = test.partition("::")
    assert (ROOT / path).is_file(), f"{item_id}: no test file {path}"
    assert f"def {name}(" in (ROOT / path).read_text(), f"{item_id}: no test {test}"


def test_every_minimum_item_has_a_completeness_check():
    assert {i.id for i in items.minimum()} == set(CHECKS)


def test_the_minimum_set_is_every_applicable_mandatory_item_plus_the_guidance_ones():
    every = {i.id: i for i in items.items()}
    for item in every.values():
        assert re.fullmatch(r"[01]\.\.[1*]", item.cardinality), item.id
        assert item.status in ("M", "R", "O", None), item.id
        applies = item.stored or item.stores[0].startswith("not stored")
        if item.status == "M" and applies:
            assert item.minimum and item.minimum_basis == "M", item.id
        if item.minimum:
            assert item.stored, f"{item.id}: a minimum item must be kept"
            assert item.status == "M" or item.minimum_basis == "guidance", item.id
    assert {i.id for i in items.minimum() if i.minimum_basis == "guidance"} == {
        "person_demographics.person_s_address",
        "plan_and_requested_actions",
    }


def test_message_back_sections_carry_items_of_the_standard():
    ids = {i.id for i in items.items()}
    for section in SECTIONS:
        assert set(section.items) <= ids, section.code
