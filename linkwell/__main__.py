"""The `linkwell` command: every Django management command, plus `linkwell evaluate …`.

`evaluate` is dispatched before Django is imported, because the evaluation package runs as a
plain library on machines with no database.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "evaluate":
        from linkwell.evaluation.cli import main as evaluate

        return evaluate(argv[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkwell.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["linkwell", *argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
