"""The one error type the evaluation package raises for bad input."""

from __future__ import annotations

from pathlib import Path


class EvaluationError(Exception):
    """Input the evaluation cannot use, described so the user can fix it.

    The message names the file, the survey year and the column where known,
    then says what to do about it.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: Path | str | None = None,
        year: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        where = [
            f"file {file}" if file is not None else None,
            f"year {year}" if year is not None else None,
            f"column {column!r}" if column is not None else None,
        ]
        located = ", ".join(w for w in where if w)
        message = f"{located}: {problem}" if located else problem
        if fix:
            message = f"{message}\n  Fix: {fix}"
        super().__init__(message)
        self.file, self.year, self.column, self.fix = file, year, column, fix
