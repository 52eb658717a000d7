"""`linkwell check --deploy`: production must really deliver. The console backend prints
messages (and their single-use links) to a log, the memory backend keeps them nowhere, and
Django's console or memory mail backends likewise; each is an error in production. So is
having no key to seal queued messages' text with (sealing.py)."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, register

NOWHERE = {
    "linkwell.delivery.backends.ConsoleBackend",
    "linkwell.delivery.backends.MemoryBackend",
}
NOWHERE_MAIL = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
NOTIFY = "linkwell.delivery.notify.NotifyBackend"


@register("delivery", deploy=True)
def real_delivery(app_configs=None, **kwargs):
    if not settings.PRODUCTION:
        return []
    errors = []
    for channel, backend in settings.DELIVERY_BACKENDS.items():
        if backend in NOWHERE or (
            backend == "linkwell.delivery.backends.DjangoMailBackend"
            and settings.EMAIL_BACKEND in NOWHERE_MAIL
        ):
            errors.append(
                Error(
                    f"{channel} messages would go to {backend.rsplit('.', 1)[-1]}, not to anyone.",
                    hint="Use linkwell.delivery.notify.NotifyBackend (docs/operations.md).",
                    id="linkwell.delivery.E001",
                )
            )
        if backend == NOTIFY and not (
            settings.NOTIFY_API_KEY and settings.NOTIFY_TEMPLATES.get(channel)
        ):
            errors.append(
                Error(
                    f"{channel} messages go through GOV.UK Notify but NOTIFY_API_KEY or the "
                    f"{channel} template is not set.",
                    hint="Set NOTIFY_API_KEY and NOTIFY_TEMPLATE_* (docs/operations.md).",
                    id="linkwell.delivery.E002",
                )
            )
    if not (settings.MESH_URL and settings.MESH_MAILBOX and settings.MESH_PASSWORD):
        errors.append(
            Error(
                "The message back cannot reach GP practices: MESH_URL, MESH_MAILBOX and "
                "MESH_PASSWORD must be set.",
                hint="docs/operations.md says how to get a MESH mailbox.",
                id="linkwell.delivery.E003",
            )
        )
    return errors


@register("delivery", deploy=True)
def sealing_keys(app_configs=None, **kwargs):
    keys = settings.DELIVERY_KEYS
    if not keys and settings.PRODUCTION:
        return [
            Error(
                "Queued messages' text cannot be sealed: DELIVERY_KEYS is not set.",
                hint='Set DELIVERY_KEYS to a key from `python -c "from cryptography.fernet import '
                'Fernet; print(Fernet.generate_key().decode())"` (docs/operations.md).',
                id="linkwell.delivery.E004",
            )
        ]
    errors = []
    for n, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            errors.append(
                Error(
                    f"DELIVERY_KEYS: key {n} is not a Fernet key (32 bytes, URL-safe base64).",
                    id="linkwell.delivery.E005",
                )
            )
    return errors
