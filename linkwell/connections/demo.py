"""Demo onward referrals: `linkwell demo` connects supported and discharged demo cases to demo
directory services, with status histories a real month of work would leave, and makes
`provider.leeds`, a volunteer of one demo provider whose services receive some of them.

Written as rows with back-dated events (as the cases demo does), not through the services,
so no emails are queued and the history has realistic gaps.
"""

import random
from datetime import timedelta

from django.db.models import Count

from linkwell import write_guard
from linkwell.accounts.models import Membership, OrganisationKind, Role, User
from linkwell.cases.demo import DEMO_PASSWORD
from linkwell.cases.lifecycle import Status as CaseStatus
from linkwell.cases.models import Case
from linkwell.directory.models import DirectoryOrganisation, Service

from .lifecycle import Status
from .models import Connection, ConnectionEvent, SharedDetail

S = Status
OPEN_PATHS = [
    [(S.SENT, "")],
    [(S.SENT, ""), (S.ACCEPTED, "")],
    [(S.SENT, ""), (S.ACCEPTED, ""), (S.ATTENDED, "")],
    [(S.SENT, ""), (S.ACCEPTED, ""), (S.DID_NOT_ATTEND, "")],
]
CLOSED_PATHS = [
    [(S.SENT, ""), (S.ACCEPTED, ""), (S.ATTENDED, ""), (S.COMPLETED, "")],
    [(S.SENT, ""), (S.ACCEPTED, ""), (S.DID_NOT_ATTEND, ""), (S.ATTENDED, ""), (S.COMPLETED, "")],
    [(S.SENT, ""), (S.DECLINED, "The group is full until the spring; we have a waiting list.")],
    [(S.SENT, ""), (S.WITHDRAWN, "They found a group nearer home.")],
]
SHARED = [
    [SharedDetail.NAME, SharedDetail.PHONE],
    [SharedDetail.NAME, SharedDetail.PHONE, SharedDetail.REASONS],
    [SharedDetail.NAME, SharedDetail.EMAIL, SharedDetail.LANGUAGE, SharedDetail.ACCESSIBILITY],
]


def _provider_user() -> tuple[User | None, list[Service]]:
    """provider.leeds, in the demo provider whose directory organisation runs most services."""
    linked = (
        DirectoryOrganisation.objects.filter(account__kind=OrganisationKind.PROVIDER)
        .annotate(n=Count("services"))
        .order_by("-n", "name")
        .first()
    )
    if linked is None:
        return None, []
    user = User.objects.filter(username="provider.leeds").first()
    if user is None:
        user = User.objects.create_user(
            "provider.leeds", password=DEMO_PASSWORD, first_name="Pat", last_name="Ellis"
        )
        Membership.objects.create(user=user, organisation=linked.account, role=Role.PROVIDER)
    return user, list(Service.objects.live().filter(organisation=linked))


# Demo connections are written with their whole back-dated history at once, not through
# services.refer (which would email providers and stamp every step with today's date).
@write_guard.allowed("demo data: a connection with its back-dated history")
def _connect(rng, case, service, path, provider) -> None:
    start = case.opened_at + timedelta(days=rng.randint(10, 20))
    worker = case.link_worker
    connection = Connection.objects.create(
        case=case,
        service=service,
        status=path[-1][0],
        shared_details=rng.choice(SHARED),
        created_at=start,
        created_by=worker,
        status_changed_at=start,
    )
    at, previous = start, ""
    for status, reason in path:
        if status != S.SENT:
            at += timedelta(days=rng.randint(1, 9), hours=rng.randint(1, 6))
        by, via = (worker, "case page") if status in (S.SENT, S.WITHDRAWN) else (provider, "")
        ConnectionEvent.objects.create(
            connection=connection,
            at=at,
            by=by,
            via=via or ("provider portal" if by else "email link"),
            from_status=previous,
            to_status=status,
            reason=reason,
        )
        previous = status
    Connection.objects.filter(pk=connection.pk).update(status_changed_at=at)


def load(*, seed: int) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 — synthetic demo data, not security
    provider, theirs = _provider_user()
    everything = list(Service.objects.live().order_by("id")[:200])
    if not everything:
        return {"connections": 0, "provider users": 0}
    cases = Case.objects.filter(
        status__in=[CaseStatus.SUPPORTED, CaseStatus.DISCHARGED]
    ).select_related("organisation")
    made = 0
    for case in cases.order_by("pk"):
        if rng.random() < 0.3:
            continue
        leeds = case.organisation.ods_code == "U00001"
        closed = case.status == CaseStatus.DISCHARGED
        picked = set()
        for _ in range(rng.choice([1, 1, 2])):
            pool = theirs if leeds and theirs and rng.random() < 0.5 else everything
            service = rng.choice(pool)
            if service.pk in picked:
                continue  # one referral per service per case
            picked.add(service.pk)
            path = rng.choice(CLOSED_PATHS if closed else OPEN_PATHS)
            _connect(rng, case, service, path, provider if pool is theirs else None)
            made += 1
    return {"connections": made, "provider users": int(provider is not None)}
