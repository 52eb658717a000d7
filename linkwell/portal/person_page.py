"""The person's own page: a single-use emailed (or texted) link, exchanged once for a session.

Why an exchange: the issue asks for a single-use link, yet a person reads their page over
several clicks (a chart, then the measure they were sent). So the link is spent on the first
POST from its page (never on GET, which link scanners and previews make) and swapped for a
session cookie that names this one case and lasts PERSON_PAGE_MINUTES. A second use of the
link is refused with a clear page. Only a SHA-256 of the token is stored; the optional
six-digit code is stored as an HMAC and allows MAX_WRONG_CODES tries before the link dies.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.accounts.secrets_store import LinkRefused, by_secret, digest, live, new_secret
from linkwell.cases.models import Case
from linkwell.delivery.services import queue
from linkwell.outcomes.models import SelfCompletionLink

from .languages import speaking
from .models import PersonPageLink

MAX_WRONG_CODES = 5
SESSION_KEY = "linkwell.person_page"
TEXT, EMAIL = "text", "email"


class PortalError(ValidationError):
    """The page cannot be sent as asked; the message says why."""


def channels(person) -> list[tuple[str, str]]:
    """How a link can reach this person: (channel, where), their preference first."""
    found = []
    if person.phone:
        found.append((TEXT, person.phone))
    if person.email:
        found.append((EMAIL, person.email))
    return sorted(found, key=lambda c: c[0] != person.preferred_contact)


def _code_digest(code: str) -> str:
    # Keyed: a million codes are easy to hash through, so the hash alone must not reveal it.
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def _send(link: PersonPageLink, channel: str, subject: str, body: str, *, code: bool) -> None:
    person = link.case.person
    queue(
        key=f"person-page:{link.pk}:{'code' if code else 'link'}",
        what="code for their own page" if code else "link to their own page",
        channel=channel,
        to=person.email if channel == EMAIL else person.phone,
        case=link.case,
        subject=subject,
        body=body,
    )


@transaction.atomic
def send_link(*, case: Case, channel: str, with_code: bool, by) -> PersonPageLink:
    """Make a link to the person's page and send it (and the code, separately) to them."""
    person = case.person
    if not case.is_open:
        raise PortalError({"channel": "This case is closed, so no page can be sent."})
    if person.erased_at is not None:
        raise PortalError({"channel": "This person's record was erased."})
    reachable = dict(channels(person))
    if channel not in reachable:
        raise PortalError({"channel": "Choose a way to send it that the person has given us."})
    other = next((c for c in reachable if c != channel), None)
    if with_code and other is None:
        raise PortalError(
            {"with_code": "A code goes by the other way: they need both a phone and an email."}
        )
    token, code = new_secret(), f"{secrets.randbelow(10**6):06d}"
    link = PersonPageLink.objects.create(
        case=case,
        token_hash=digest(token),
        code_hash=_code_digest(code) if with_code else "",
        channel=channel,
        expires_at=timezone.now() + timedelta(days=settings.PERSON_PAGE_LINK_DAYS),
        created_by=by,
    )
    url = settings.SITE_URL.rstrip("/") + reverse("portal:person_link", args=[token])
    with speaking(person):
        until = date_format(timezone.localtime(link.expires_at), "j F")
        body = _(
            "Hello %(name)s. Your link worker has sent you a link to your own page, where you "
            "can see your plan and the support you are connected to: %(url)s\n"
            "The link works once, until %(until)s."
        ) % {"name": person.given_name, "url": url, "until": until}
        if with_code:
            body += "\n" + _("You will also need the code we are sending you separately.")
        _send(link, channel, _("Your own page"), body, code=False)
        if with_code:
            _send(
                link,
                other,
                _("Your code"),
                _("Your code for your own page is %(code)s. Do not share it with anyone.")
                % {"code": code},
                code=True,
            )
    audit.record(
        user=by,
        action=AuditAction.CREATE,
        obj=link,
        person_id=person.pk,
        channel=channel,
        with_code=with_code,
    )
    return link


def _live(token: str, *, lock: bool = False) -> PersonPageLink:
    rows = PersonPageLink.objects.select_related("case__person")
    if lock:
        rows = rows.select_for_update(of=("self",))
    link = live(by_secret(rows, token))
    if not link.case.is_open or link.case.person.erased_at is not None:
        raise LinkRefused("case closed", status=409)
    return link


def _refused(error: LinkRefused, token: str) -> None:
    link = by_secret(PersonPageLink.objects.select_related("case"), token)
    audit.record(
        user=None,
        action=AuditAction.DENIED,
        obj=link,
        object_type="portal.personpagelink",
        person_id=link.case.person_id if link else None,
        refused=error.reason,
    )


def check_link(token: str) -> PersonPageLink:
    """The live link, for its "open your page" step; a refusal is audited."""
    try:
        return _live(token)
    except LinkRefused as e:
        _refused(e, token)
        raise


def exchange(*, token: str, code: str = "") -> PersonPageLink:
    """Spend the link (after the code, if it has one); the caller starts the session."""
    try:
        with transaction.atomic():
            link = _live(token, lock=True)
            wrong = bool(link.code_hash) and not hmac.compare_digest(
                link.code_hash, _code_digest((code or "").strip())
            )
            if wrong:
                link.wrong_codes += 1
                if link.wrong_codes >= MAX_WRONG_CODES:
                    link.used_at = timezone.now()  # too many guesses: the link dies
                link.save(update_fields=["wrong_codes", "used_at"])
            else:
                link.used_at = timezone.now()
                link.save(update_fields=["used_at"])
        if wrong:
            raise LinkRefused("wrong code", status=422)
    except LinkRefused as e:
        _refused(e, token)
        raise
    audit.record(
        user=None,
        action=AuditAction.UPDATE,
        obj=link,
        person_id=link.case.person_id,
        event="person's page opened",
    )
    return link


def start_session(request, link: PersonPageLink) -> None:
    request.session.cycle_key()  # a fresh session id: nobody can plant one beforehand
    until = timezone.now() + timedelta(minutes=settings.PERSON_PAGE_MINUTES)
    request.session[SESSION_KEY] = {
        "link": link.pk,
        "case": link.case_id,
        "until": until.timestamp(),
    }


def end_session(request) -> None:
    request.session.pop(SESSION_KEY, None)


@dataclass(frozen=True)
class Visit:
    case: Case
    link_id: int
    until: object


def current(request) -> Visit | None:
    """The case whose page this browser may see now, or None."""
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return None
    until = datetime.fromtimestamp(held.get("until", 0), tz=UTC)
    if until <= timezone.now():
        end_session(request)
        return None
    case = Case.objects.select_related("person").filter(pk=held.get("case")).first()
    if case is None or not case.is_open or case.person.erased_at is not None:
        end_session(request)
        return None
    return Visit(case, held["link"], until)


def start_measure(*, case: Case, link_id) -> str:
    """A fresh, short-lived self-completion link for a measure the link worker sent (its own
    token was shown once and is not stored), for the existing self-completion page."""
    from linkwell.outcomes.self_completion import create_link

    from .shown import pending_measures

    pending = {p.link_id for p in pending_measures(case)}
    sent = SelfCompletionLink.objects.filter(case=case, pk__in=pending, pk=_int(link_id)).first()
    if sent is None:
        raise LinkRefused("no such measure", status=404)
    _, token = create_link(
        case=case,
        instrument=sent.instrument,
        timepoint=sent.timepoint,
        by=None,
        lifetime=timedelta(hours=1),
    )
    return token


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def link_id_for(token: str) -> int | None:
    link = by_secret(PersonPageLink.objects.only("pk"), token)
    return link.pk if link else None


def person_for(token: str):
    """Whose page the token names, if any (to word a refusal in their language)."""
    found = by_secret(PersonPageLink.objects.select_related("case__person"), token)
    return found.case.person if found else None
