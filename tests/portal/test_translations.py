"""The shipped catalogues: every message translated, and each compiled .mo (committed, so a
clean clone needs no gettext) up to date with its .po — compared by content, not file times,
which a git checkout does not keep."""

import ast
import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "linkwell" / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def entries(po: Path) -> list[dict]:
    """The .po's messages: msgctxt, msgid, msgstr and flags (enough of the format for ours)."""
    found = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        entry, field = {"flags": ""}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif m := re.match(r'^(msgctxt|msgid|msgstr)\s+(".*")$', line):
                field = m.group(1)
                entry[field] = ast.literal_eval(m.group(2))
            elif line.startswith('"') and field:
                entry[field] += ast.literal_eval(line)
        if entry.get("msgid"):
            found.append(entry)
    return found


def test_there_is_a_welsh_catalogue():
    assert LOCALE / "cy" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_message_is_translated_and_none_is_fuzzy(po):
    untranslated = [e["msgid"] for e in entries(po) if not e.get("msgstr")]
    fuzzy = [e["msgid"] for e in entries(po) if "fuzzy" in e["flags"]]
    assert not untranslated, f"translate these in {po}: {untranslated}"
    assert not fuzzy, f"review these fuzzy translations in {po}: {fuzzy}"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_the_compiled_catalogue_matches_its_source(po):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"compile it: msgfmt -o {mo} {po}"
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = []
    for e in entries(po):
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if compiled._catalog.get(key) != e["msgstr"]:
            stale.append(e["msgid"])
    assert not stale, f"{mo} is older than {po}: run `msgfmt -o {mo} {po}` ({stale[:3]})"
