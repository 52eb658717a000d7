"""GOV.UK Notify: texts, emails and letters through `notifications-python-client`.

Each channel uses one Notify template, named in settings (NOTIFY_TEMPLATES), whose content is
placeholders Linkwell fills: a text template `((body))`; an email template with subject
`((subject))` and body `((body))`; a letter template likewise, the address in Notify's
`address_line_1`… personalisation. Our delivery reference goes with every message as Notify's
`reference`, so `find` can ask Notify whether a message already went (GET /v2/notifications
?reference=…) before sending it again.

Errors, from Notify's API documentation (docs.notifications.service.gov.uk/python.html, "Error
codes"): 400 is the message's own fault (a bad phone number or address, a missing placeholder)
and never passes; 403 (a bad or revoked key), 429 (rate or daily limit) and 5xx pass once the
key is fixed, the minute or day is over, or Notify is back — so those are retried.
"""

from django.conf import settings
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from .backends import Refused, Retry
from .models import Channel

# Notify's statuses (docs: "Get the status of one message") in our words: delivered, or how it
# failed; "permanent-failure" is the number or address itself (the contact details need fixing).
DELIVERED = {"delivered", "received", "returned-letter"}
FAILED = {
    "permanent-failure": "Notify: the phone number or email address does not exist",
    "temporary-failure": "Notify: the phone was off or the inbox full for 72 hours",
    "technical-failure": "Notify: a technical failure on Notify's side",
    "validation-failed": "Notify: the letter could not be printed as it was",
    "virus-scan-failed": "Notify: the letter failed the virus scan",
    "cancelled": "Notify: the letter was cancelled",
}
PERMANENT = {"permanent-failure"}
ADDRESS_LINES = 7


def client() -> NotificationsAPIClient:
    return NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL)


def _error(e: APIError) -> Exception:
    found = e.message
    if isinstance(found, list):  # Notify's "errors": [{"error": …, "message": …}]
        found = "; ".join(str(m.get("message", m)) for m in found)
    text = f"Notify answered {e.status_code}: {found}"
    if e.status_code != 400:
        return Retry(text)
    # "phone_number Not a UK mobile number", "email_address Not a valid email address", …
    contact = any(f in str(found) for f in ("phone_number", "email_address", "address_line"))
    return Refused(text, contact=contact)


def letter_personalisation(delivery) -> dict:
    lines = [line.strip() for line in delivery.to.splitlines() if line.strip()]
    if not 3 <= len(lines) <= ADDRESS_LINES:
        raise Refused("A letter needs an address of 3 to 7 lines, the postcode last.", contact=True)
    found = {f"address_line_{n}": line for n, line in enumerate(lines, start=1)}
    return {**found, "subject": delivery.subject, "body": delivery.body}


class NotifyBackend:
    def send(self, delivery) -> str:
        template = settings.NOTIFY_TEMPLATES[delivery.channel]
        notify = client()
        try:
            if delivery.channel == Channel.TEXT:
                answer = notify.send_sms_notification(
                    phone_number=delivery.to,
                    template_id=template,
                    personalisation={"body": delivery.body},
                    reference=delivery.reference,
                )
            elif delivery.channel == Channel.EMAIL:
                answer = notify.send_email_notification(
                    email_address=delivery.to,
                    template_id=template,
                    personalisation={"subject": delivery.subject, "body": delivery.body},
                    reference=delivery.reference,
                )
            else:
                answer = notify.send_letter_notification(
                    template_id=template,
                    personalisation=letter_personalisation(delivery),
                    reference=delivery.reference,
                )
        except APIError as e:
            raise _error(e) from e
        return answer["id"]

    def find(self, delivery) -> str:
        try:
            found = client().get_all_notifications(reference=delivery.reference)
        except APIError as e:
            raise _error(e) from e
        return next((n["id"] for n in found.get("notifications", [])), "")

    def status(self, delivery) -> str:
        """Notify's status for a sent message (polling, where no callback is set up)."""
        try:
            return client().get_notification_by_id(delivery.provider_id)["status"]
        except APIError as e:
            raise _error(e) from e
