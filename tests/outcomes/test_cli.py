"""`linkwell outcomes score`: JSON out; bad answers exit non-zero with the reason; no database."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

# A database that cannot exist: the command must never touch one.
NO_DATABASE = {**os.environ, "DATABASE_URL": "sqlite:////nonexistent/dir/linkwell.sqlite3"}


def linkwell(*args):
    return subprocess.run(
        [sys.executable, "-m", "linkwell", "outcomes", *args],
        capture_output=True,
        text=True,
        env=NO_DATABASE,
        timeout=120,
    )


def score(*args) -> dict:
    out = StringIO()
    call_command("outcomes", "score", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_prints_json_and_needs_no_database():
    result = linkwell("score", "swemwbs", "--answers", "3,3,3,3,3,3,3")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "instrument": "swemwbs",
        "raw": 21,
        "score": 19.25,
        "band": None,
    }


def test_invalid_answers_exit_non_zero_with_the_reason():
    result = linkwell("score", "swemwbs", "--answers", "3,3,3,3,3,3,6")
    assert result.returncode != 0 and result.stdout == ""
    assert "Question 7" in result.stderr and "choose one of 1, 2, 3, 4, 5" in result.stderr


@pytest.mark.parametrize(
    "instrument,answers,expected",
    [
        ("wemwbs", ",".join(["4"] * 14), {"raw": 56, "score": 56, "band": None}),
        ("ucla3", "2,3,3", {"raw": 8, "score": 8, "band": "lonely"}),
        ("ons-loneliness", "4", {"raw": 4, "score": 4, "band": "Hardly ever"}),
        (
            "ons4",
            "7,9,4,6",
            {
                "raw": None,
                "score": None,
                "bands": {
                    "life_satisfaction": "high",
                    "worthwhile": "very high",
                    "happiness": "low",
                    "anxiety": "high",
                },
            },
        ),
        (
            "ons4",
            "7,,4,1",
            {
                "raw": None,
                "score": None,
                "bands": {"life_satisfaction": "high", "happiness": "low", "anxiety": "very low"},
            },
        ),
    ],
)
def test_each_instrument_prints_its_scoring(instrument, answers, expected):
    assert score(instrument, "--answers", answers) == {"instrument": instrument, **expected}


@pytest.mark.parametrize(
    "args,reason",
    [
        (["swemwbs", "--answers", "3,3,3"], "give 7 answers"),
        (["swemwbs", "--answers", "3,3,,3,3,3,3"], "Question 3 is not answered"),
        (["swemwbs", "--answers", "3,3,x,3,3,3,3"], "not an answer"),
        (["phq9", "--answers", "1"], "Unknown instrument"),
        (["pam", "--answers", "1,2,3"], "licensed"),
    ],
)
def test_invalid_answers_are_refused_with_the_reason(args, reason):
    with pytest.raises(CommandError, match=reason):
        score(*args)
