"""Text messages through a pluggable backend, chosen by the SMS_BACKEND setting.

A backend is a class with `send(*, to, body)`. The console backend (the default) writes the
message to standard output, for development; `MemoryBackend` keeps them for tests. A real
gateway (e.g. GOV.UK Notify) is one small class with the same method.
"""

import sys

from django.conf import settings
from django.utils.module_loading import import_string


class ConsoleBackend:
    def send(self, *, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}: {body}\n")


class MemoryBackend:
    outbox: list[dict] = []

    def send(self, *, to: str, body: str) -> None:
        MemoryBackend.outbox.append({"to": to, "body": body})


def send_sms(*, to: str, body: str) -> None:
    import_string(settings.SMS_BACKEND)().send(to=to, body=body)
