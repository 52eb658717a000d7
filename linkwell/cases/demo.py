"""Realistic synthetic data for trying Linkwell: `linkwell demo`.

Everything is made up. NHS numbers come from the 999 range, which is reserved for testing and
never issued (NHS Digital), so no demo record can match a real person.
"""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from linkwell import write_guard
from linkwell.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from linkwell.people.services import PersonDetails

from . import services
from .lifecycle import Status
from .models import (
    CarePlan,
    Case,
    CaseEvent,
    ContactMode,
    GoalStatus,
    Referral,
    ReferralSource,
    WhatMatters,
)
from .needs import Need

DEMO_PASSWORD = "linkwell-demo-2026"  # noqa: S105 — published in the README, demo only

GIVEN = [
    "Aisha",
    "Alan",
    "Amira",
    "Ben",
    "Bridget",
    "Carlos",
    "Chloe",
    "Darren",
    "Deborah",
    "Emeka",
    "Ellen",
    "Fatima",
    "Frank",
    "Grace",
    "Hamza",
    "Helen",
    "Imran",
    "Irene",
    "Jack",
    "Joan",
    "Kwame",
    "Linda",
    "Mohammed",
    "Margaret",
    "Nia",
    "Norman",
    "Olu",
    "Pat",
    "Priya",
    "Raymond",
    "Rosa",
    "Sam",
    "Shirley",
    "Tariq",
    "Tom",
    "Una",
    "Vera",
    "Wei",
    "Yusuf",
    "Zofia",
]
FAMILY = [
    "Ahmed",
    "Barker",
    "Begum",
    "Brown",
    "Campbell",
    "Chen",
    "Clarke",
    "Davies",
    "Evans",
    "Green",
    "Hall",
    "Hussain",
    "Jackson",
    "Jones",
    "Khan",
    "Lewis",
    "Mensah",
    "Mistry",
    "Murphy",
    "Nowak",
    "O'Brien",
    "Okafor",
    "Patel",
    "Roberts",
    "Robinson",
    "Shah",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Walker",
    "Ward",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
]
STAGES = [
    (Status.RECEIVED, 30),
    (Status.CONTACTED, 25),
    (Status.ASSESSED, 25),
    (Status.SUPPORTED, 55),
    (Status.DISCHARGED, 45),
    (Status.DECLINED, 7),
    (Status.UNABLE_TO_CONTACT, 8),
    (Status.NOT_APPROPRIATE, 5),
]
WHAT_MATTERS = [
    "Getting out of the house more and meeting people since my wife died.",
    "Sorting out the debts so I can sleep at night.",
    "Being able to walk to the shops again without getting out of breath.",
    "Keeping warm this winter and not choosing between heating and eating.",
    "Finding something to do with my days now I'm retired.",
    "Looking after my mum without losing myself.",
    "Getting back into work, even part time.",
]
GOALS = [
    "Go to the walking group once a week",
    "Meet the debt adviser and make a budget",
    "Join the community garden",
    "Apply for the warm home discount",
    "Try the carers' café",
    "Start the digital skills course",
    "Go to the bereavement support group",
]
# The demo practices' phone numbers, from Ofcom's ranges kept for drama (never a real line):
# 0113 496 0000–0999 in Leeds, 01632 960000–960999 with no area.
PRACTICE_PHONES = {
    **{f"Y91{i:03d}": f"0113 496 0{i:03d}" for i in range(1, 4)},
    **{f"Y92{i:03d}": f"01632 960{i:03d}" for i in range(1, 4)},
}

STREETS = ["Church Lane", "Station Road", "Victoria Street", "Park Avenue", "Mill Lane"]
PLACES = {
    "U00001": ["LS6 1AB", "LS6 2CD", "LS4 2EF", "LS5 3GH", "LS16 5JK"],
    "U00002": ["BD1 1AA", "BD3 8LS", "BD5 0QP", "BD7 1DP", "BD9 4RW"],
}


def test_nhs_numbers(rng: random.Random):
    """Endless distinct valid NHS numbers from the never-issued 999 range."""
    seen = set()
    while True:
        body = "999" + "".join(rng.choice("0123456789") for _ in range(6))
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 10:
            continue
        number = body + str(0 if check == 11 else check)
        if number not in seen:
            seen.add(number)
            yield number


def _user(username, first, last, org, role):
    user = User.objects.create_user(
        username, password=DEMO_PASSWORD, first_name=first, last_name=last
    )
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


@transaction.atomic
def load(*, seed: int = 2026) -> dict:
    """Load the demo organisations, people and cases. Returns counts."""
    rng = random.Random(seed)
    icb = Organisation.objects.create(
        name="West Yorkshire ICB (demo)", kind=OrganisationKind.ICB, ods_code="QWO"
    )
    pcns, practices, link_workers, referrers = [], {}, {}, {}
    for code, name, area in [
        ("U00001", "Leeds North West PCN", "Leeds"),
        ("U00002", "Bradford City PCN", "Bradford"),
    ]:
        pcn = Organisation.objects.create(
            name=f"{name} (demo)", kind=OrganisationKind.PCN, ods_code=code, parent=icb
        )
        pcns.append(pcn)
        practices[pcn.pk] = [
            Organisation.objects.create(
                name=f"{area} {street} Surgery (demo)",
                kind=OrganisationKind.PRACTICE,
                # ODS practice codes are a letter and five digits; real Y codes stop below
                # Y08000 (NHS Payments to General Practice 2017–2023), so Y9… is no real practice.
                ods_code=f"Y9{code[-1]}00{i}",
                parent=pcn,
            )
            for i, street in enumerate(["Park Road", "High Street", "Moor Lane"], start=1)
        ]
    for name in ["Ridings Walking Group", "Citizens Advice (demo)", "Good Neighbours Befriending"]:
        Organisation.objects.create(name=name, kind=OrganisationKind.PROVIDER, parent=icb)

    link_workers[pcns[0].pk] = [
        _user("lw.leeds", "Lena", "Walker", pcns[0], Role.LINK_WORKER),
        _user("lw.leeds2", "Kofi", "Mensah", pcns[0], Role.LINK_WORKER),
    ]
    link_workers[pcns[1].pk] = [_user("lw.bradford", "Bushra", "Ali", pcns[1], Role.LINK_WORKER)]
    referrers[pcns[0].pk] = [
        _user("gp.leeds", "Rachel", "Green", practices[pcns[0].pk][0], Role.REFERRER)
    ]
    referrers[pcns[1].pk] = [
        _user("gp.bradford", "Sunil", "Rao", practices[pcns[1].pk][0], Role.REFERRER)
    ]
    _user("manager.leeds", "Martin", "Hughes", pcns[0], Role.MANAGER)
    _user("manager.icb", "Sarah", "Lock", icb, Role.COMMISSIONER)
    _user("admin", "Ada", "Mills", icb, Role.ADMIN)

    numbers = test_nhs_numbers(rng)
    now = timezone.now()
    stages = [s for s, n in STAGES for _ in range(n)]
    rng.shuffle(stages)
    for stage in stages:
        pcn = rng.choice(pcns)
        _demo_case(
            rng,
            pcn,
            practices[pcn.pk],
            link_workers[pcn.pk],
            referrers[pcn.pk],
            next(numbers),
            stage,
            now,
        )
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "cases": Case.objects.count(),
    }


def _demo_case(rng, pcn, practices, link_workers, referrers, nhs_number, stage, now):
    days_ago = rng.randint(1, 20) if stage == Status.RECEIVED else rng.randint(10, 300)
    opened = now - timedelta(days=days_ago, hours=rng.randint(0, 8))
    age = rng.randint(18, 92)
    source = rng.choices(list(ReferralSource), weights=[7, 2, 1])[0]
    referrer = rng.choice(referrers) if source == ReferralSource.GP_PRACTICE else None
    worker = rng.choice(link_workers)
    # Its own generator, so adding addresses left every other demo value as it was.
    street = random.Random(nhs_number)
    person = PersonDetails(
        # Most referrals carry the address; the rest show as gaps for the link worker to fill.
        address=f"{street.randint(1, 120)} {street.choice(STREETS)}"
        if street.random() < 0.8
        else "",
        given_name=rng.choice(GIVEN),
        family_name=rng.choice(FAMILY),
        date_of_birth=date.today() - timedelta(days=age * 365 + rng.randint(0, 364)),
        nhs_number=nhs_number if source != ReferralSource.SELF or rng.random() < 0.5 else "",
        sex=rng.choice("12"),
        ethnicity=rng.choice("AAAAACHJKMNRSZ"),
        postcode=rng.choice(PLACES[pcn.ods_code]),
        phone=f"07700 900{rng.randint(0, 999):03d}",
        preferred_contact=rng.choice(["phone", "phone", "text"]),
        interpreter_needed=rng.random() < 0.05,
    )
    reasons = rng.sample(list(Need.values[:-1]), k=rng.randint(1, 3))
    lonely = "Lives alone and has not been out much since the winter."
    details = lonely if rng.random() < 0.5 else ""
    urgency = "urgent" if rng.random() < 0.08 else "routine"
    practice = rng.choice(practices) if referrer else None
    # GP referrals come from every practice: the demo GP refers from their own, and the link
    # worker enters the others' (sent by letter), naming the practice and the GP.
    own = practice is not None and referrer.memberships.filter(organisation=practice).exists()
    referral, _ = services.make_referral(
        pcn_code=pcn.ods_code,
        origin_code=practice.ods_code if practice else "",
        referrer_name=referrer.get_full_name() if referrer else "",
        referrer_contact=PRACTICE_PHONES[practice.ods_code] if practice else "",
        person=person,
        source=source,
        consent_given=True,
        reasons=reasons,
        details=details,
        urgency=urgency,
        by=referrer if own else worker,
    )
    case = referral.case
    with write_guard.allowed("demo data: back-date a referral made through the service"):
        Referral.objects.filter(pk=referral.pk).update(received_at=opened)
        Case.objects.filter(pk=case.pk).update(opened_at=opened)
    CaseEvent.objects.filter(case=case).update(at=opened)
    if stage != Status.RECEIVED:
        services.assign(case=case, link_worker=worker, by=worker)
    _walk(rng, case, stage, worker, opened, now)
    _spread_history(case, opened, now)


@write_guard.allowed("demo data: back-date the status changes made through the service")
def _spread_history(case, opened, now):
    """Space the status changes out between the referral and today, as they would have been."""
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))[1:]
    step = (now - opened) / (len(events) + 1)
    for i, event in enumerate(events, start=1):
        CaseEvent.objects.filter(pk=event.pk).update(at=opened + step * i)
    if events and Case.objects.get(pk=case.pk).closed_at:
        Case.objects.filter(pk=case.pk).update(closed_at=opened + step * len(events))


def _walk(rng, case, stage, worker, opened, now):
    """Take the case along the lifecycle to `stage`, recording what a link worker would."""
    when = opened + timedelta(days=rng.randint(1, 6))
    if stage == Status.UNABLE_TO_CONTACT or (
        stage in (Status.NOT_APPROPRIATE, Status.DECLINED) and rng.random() < 0.5
    ):
        services.transition(case=case, to=stage, by=worker, note="Demo: closed early.")
        return
    if stage == Status.RECEIVED:
        return
    services.record_contact(
        case=case,
        at=min(when, now),
        mode=rng.choice([m for m in ContactMode if m != ContactMode.ATTEMPTED]),  # a real contact
        minutes=rng.choice([15, 30, 45, 60]),
        notes="First conversation.",
        by=worker,
    )
    if stage == Status.CONTACTED:
        _follow_up(rng, case, worker, now)
        return
    conversation = services.record_what_matters(
        case=case,
        what_matters=rng.choice(WHAT_MATTERS),
        by=worker,
        strengths="Good friends nearby; enjoys cooking.",
    )
    # Dated as the work would have been, a few days after the first contact.
    WhatMatters.objects.filter(pk=conversation.pk).update(at=min(when + timedelta(days=3), now))
    # Risks (mandatory in the standard): most have none known. Chosen by id, not the shared
    # random stream, so the rest of the demo is unchanged.
    if case.pk % 5 == 0:
        services.record_risk(case=case, description="Risk of self-neglect", by=worker)
    else:
        services.record_risk(case=case, no_known_risks=True, by=worker)
    if stage in (Status.ASSESSED, Status.NOT_APPROPRIATE):
        if stage == Status.NOT_APPROPRIATE:
            services.transition(
                case=case, to=stage, by=worker, note="Needs clinical support first."
            )
        else:
            _follow_up(rng, case, worker, now)
        return
    plan = services.agree_care_plan(
        case=case, summary="Small steps towards what matters, agreed together.", by=worker
    )
    CarePlan.objects.filter(pk=plan.pk).update(agreed_on=min(when + timedelta(days=7), now).date())
    for description in rng.sample(GOALS, k=rng.randint(1, 3)):
        goal = services.add_goal(
            case=case,
            description=description,
            by=worker,
            target_date=(now + timedelta(days=rng.randint(14, 90))).date(),
        )
        if stage == Status.DISCHARGED:
            services.set_goal_status(
                goal=goal,
                status=rng.choice(
                    [GoalStatus.ACHIEVED, GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED]
                ),
                by=worker,
            )
    if stage == Status.SUPPORTED:
        _follow_up(rng, case, worker, now)
    elif stage in (Status.DISCHARGED, Status.DECLINED):
        if stage == Status.DISCHARGED:
            services.record_follow_up_advice(
                case=case,
                follow_up_advice="Knows how to get back in touch; please re-refer if things "
                "get harder.",
                by=worker,
            )
        services.transition(
            case=case,
            to=stage,
            by=worker,
            note="Goals met; knows how to get back in touch."
            if stage == Status.DISCHARGED
            else "Decided it was not for them right now.",
        )


def _follow_up(rng, case, worker, now):
    due = (now + timedelta(days=rng.randint(-10, 21))).date()
    services.add_task(case=case, title="Follow-up call", due_on=due, by=worker, assigned_to=worker)
