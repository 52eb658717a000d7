"""Single-use, expiring links for providers without a Linkwell account.

The token is 256 random bits sent once by email; only its SHA-256 is stored (a fast hash is
enough for that much randomness, as for API tokens). Single use is enforced by a conditional
UPDATE inside the transaction that changes the status (see services.use_provider_link).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from linkwell.accounts.secrets_store import by_secret, digest, live, new_secret

from .models import Connection, ProviderLink


def issue_link(*, connection: Connection, email: str, by=None) -> str:
    """Make a link for the provider's next update and return its token (shown only once)."""
    token = new_secret()
    ProviderLink.objects.create(
        connection=connection,
        token_hash=digest(token),
        email=email,
        expires_at=timezone.now() + timedelta(days=settings.PROVIDER_LINK_DAYS),
        created_by=by if by is not None and by.is_authenticated else None,
    )
    return token


def live_link(token: str, *, lock: bool = False) -> ProviderLink:
    """The link the token names, if it can still be used; LinkRefused otherwise."""
    links = ProviderLink.objects.select_related("connection__service", "connection__case__person")
    if lock:
        links = links.select_for_update(of=("self",))
    return live(by_secret(links, token))
