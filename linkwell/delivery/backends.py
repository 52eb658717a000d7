"""Ways out of Linkwell, one class per provider, chosen per channel by DELIVERY_BACKENDS.

A backend has `send(delivery) -> provider id` and `find(delivery) -> provider id or ""` (did a
message with our reference already reach the provider? asked before sending again after a
worker died mid-send). It raises `Retry` for what may pass (the provider down, rate limited)
and `Refused` for what will not (an invalid number): the outbox retries the first and fails the
second. GOV.UK Notify is `notify.NotifyBackend`, MESH `mesh.MeshBackend`; the two below are for
development and tests only, and `linkwell check --deploy` refuses them in production.
"""

import sys

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from linkwell.logs import mask_link_secrets as masked

from .checks import NOWHERE_MAIL


class Retry(Exception):  # noqa: N818 — read as "raise Retry(...)"
    """The provider did not take the message this time; try again later."""


class Refused(Exception):  # noqa: N818
    """The provider will never take this message (e.g. an invalid phone number); `contact`
    when the address or number itself is at fault, so someone should check it."""

    def __init__(self, message: str, *, contact: bool = False):
        super().__init__(message)
        self.contact = contact


def backend_for(channel: str):
    return import_string(settings.DELIVERY_BACKENDS[channel])()


class ConsoleBackend:
    """Prints each message, for `make run`. In production (which refuses it) it never prints a
    single-use link whole."""

    def send(self, delivery) -> str:
        text = f"{delivery.get_channel_display()} to {delivery.to}: {delivery.subject}\n"
        text += delivery.body or str(delivery.document)
        sys.stdout.write((masked(text) if settings.PRODUCTION else text) + "\n")
        return f"console-{delivery.reference}"

    def find(self, delivery) -> str:
        return ""


class MemoryBackend:
    """Keeps messages in `outbox`, for tests."""

    outbox: list[dict] = []

    def send(self, delivery) -> str:
        MemoryBackend.outbox.append(
            {
                "to": delivery.to,
                "subject": delivery.subject,
                "body": delivery.body,
                "reference": delivery.reference,
            }
        )
        return f"memory-{delivery.reference}"

    def find(self, delivery) -> str:
        sent = any(m["reference"] == delivery.reference for m in MemoryBackend.outbox)
        return f"memory-{delivery.reference}" if sent else ""


class DjangoMailBackend:
    """Email through Django's EMAIL_BACKEND (the console in development, SMTP if chosen). In
    production (which refuses a mail backend that only prints or keeps messages) such a backend
    never gets a single-use link whole, as ConsoleBackend never prints one."""

    def send(self, delivery) -> str:
        body = delivery.body
        if settings.PRODUCTION and settings.EMAIL_BACKEND in NOWHERE_MAIL:
            body = masked(body)
        send_mail(delivery.subject, body, None, [delivery.to])
        return f"mail-{delivery.reference}"

    def find(self, delivery) -> str:
        return ""
