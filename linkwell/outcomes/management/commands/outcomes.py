"""`linkwell outcomes score INSTRUMENT --answers A,B,C,…`: score answers and print JSON.

Uses the same scoring core as the web pages and the API, for the built-in instruments only,
so it needs no database (no system or migration checks are run).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from linkwell.outcomes import instruments


class Command(BaseCommand):
    help = "Outcome measures: `score INSTRUMENT --answers A,B,C,…` prints the scoring as JSON."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True, metavar="score")
        score = commands.add_parser(
            "score",
            help="Score one set of answers",
            description="Answers in the questionnaire's item order, as the numbers the person "
            "chose; leave one empty (3,,4) for an unanswered item.",
        )
        scorable = [code for code, i in instruments.BUILT_IN.items() if not i.licensed]
        score.add_argument("instrument", help=f"one of {', '.join(scorable)}")
        score.add_argument("--answers", required=True, help="comma-separated, e.g. 3,4,2,5,3,3,4")

    def handle(self, *args, command, instrument, answers, **options):
        given = [a.strip() or None for a in answers.split(",")]
        try:
            scored = instruments.score(instrument, given)
        except instruments.InvalidAnswers as e:
            raise CommandError(str(e)) from e
        self.stdout.write(json.dumps(scored.as_dict()))
