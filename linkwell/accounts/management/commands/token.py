from django.core.management.base import BaseCommand, CommandError

from linkwell.accounts.models import ApiToken, User
from linkwell.accounts.services import AccountError, create_token, revoke_token


class Command(BaseCommand):
    help = "Manage API bearer tokens: create USERNAME, list [USERNAME], revoke PREFIX."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Print a new token for USERNAME (shown once).")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        listing = sub.add_parser("list", help="List tokens (prefixes only).")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="Revoke the token with this prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        if action == "create":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user called {options['username']!r}.")
            try:
                self.stdout.write(create_token(user=user, name=options["name"]))
            except AccountError as e:
                raise CommandError(" ".join(e.messages)) from e
        elif action == "list":
            tokens = ApiToken.objects.select_related("user").order_by("created_at")
            if options["username"]:
                tokens = tokens.filter(user__username=options["username"])
            for t in tokens:
                state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
                self.stdout.write(f"{t.prefix}\t{t.user.username}\t{t.name}\t{state}")
        else:
            try:
                revoke_token(prefix=options["prefix"])
            except AccountError as e:
                raise CommandError(" ".join(e.messages)) from e
            self.stdout.write(f"Revoked {options['prefix']}.")
