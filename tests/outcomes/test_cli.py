"""`linkwell outcomes score`: JSON out; bad answers exit non-zero with the reason; no database."""

import json
import os
import subprocess
import sys

import pytest

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


@pytest.mark.parametrize(
    "instrument,answers,expected",
    [
        (
            "swemwbs",
            "3,3,3,3,3,3,3",
            {"instrument": "swemwbs", "raw": 21, "score": 19.25, "band": None},
        ),
        (
            "wemwbs",
            ",".join(["4"] * 14),
            {"instrument": "wemwbs", "raw": 56, "score": 56, "band": None},
        ),
        ("ucla3", "2,3,3", {"instrument": "ucla3", "raw": 8, "score": 8, "band": "lonely"}),
        (
            "ons-loneliness",
            "4",
            {"instrument": "ons-loneliness", "raw": 4, "score": 4, "band": "Hardly ever"},
        ),
        (
            "ons4",
            "7,9,4,6",
            {
                "instrument": "ons4",
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
    ],
)
def test_scores_print_as_json(instrument, answers, expected):
    result = linkwell("score", instrument, "--answers", answers)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


@pytest.mark.parametrize(
    "args,reason",
    [
        (["score", "swemwbs", "--answers", "3,3,3"], "give 7 answers"),
        (["score", "swemwbs", "--answers", "3,3,3,3,3,3,6"], "Question 7"),
        (["score", "swemwbs", "--answers", "3,3,,3,3,3,3"], "Question 3 is not answered"),
        (["score", "phq9", "--answers", "1"], "Unknown instrument"),
        (["score", "pam", "--answers", "1,2,3"], "licensed"),
    ],
)
def test_invalid_answers_exit_non_zero_with_the_reason(args, reason):
    result = linkwell(*args)
    assert result.returncode != 0 and reason in result.stderr and result.stdout == ""
