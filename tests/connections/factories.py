"""Directory services and connections for tests, made through the public services."""

import itertools

from linkwell.accounts.models import Organisation, OrganisationKind, Role
from linkwell.connections import services
from linkwell.directory.models import DirectoryOrganisation, Service
from linkwell.directory.services import shortlist
from tests.factories import user_with_role

_n = itertools.count()


def provider_service(*, account=None, email="", name=None) -> Service:
    """A live service of a directory organisation, linked to `account` if given."""
    n = next(_n)
    organisation = DirectoryOrganisation.objects.create(
        id=f"test-org-{n}", name=f"Provider {n}", account=account, email=email
    )
    return Service.objects.create(
        id=f"test-service-{n}", name=name or f"Walking group {n}", organisation=organisation
    )


def provider_with_user(**user):
    """A provider organisation with one provider user, and a service linked to it."""
    account = Organisation.objects.create(name="Walkers", kind=OrganisationKind.PROVIDER)
    person = user_with_role(Role.PROVIDER, account, email="volunteer@example.org", **user)
    return provider_service(account=account), person


def connect(case, service, by, shared=("name", "phone"), **kwargs):
    shortlist(case=case, service=service, by=by)
    return services.refer(
        case=case,
        service=service,
        shared_details=list(shared),
        consent_given=True,
        by=by,
        **kwargs,
    )
