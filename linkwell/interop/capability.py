"""GET /fhir/metadata: what this server does, as a CapabilityStatement (FHIR R4, 4.0.1),
written from the route table (routes.KINDS) so it says exactly what the router serves."""

from django.utils import timezone
from fhir.resources.R4B.capabilitystatement import CapabilityStatement


def _interaction(code: str, write=None) -> dict:
    documentation = write.documentation if write is not None else ""
    return {"code": code, "documentation": documentation} if documentation else {"code": code}


def _resource(kind) -> dict:
    writes = {"create": kind.create, "update": kind.update}
    entry = {
        "type": kind.type,
        "interaction": [_interaction(code, writes.get(code)) for code in kind.interactions],
        # meta.versionId on every version; If-Match on update (fhir_http.py)
        "versioning": "versioned-update" if kind.update else "versioned",
        "readHistory": False,
        "updateCreate": False,
    }
    if kind.read:  # If-None-Match on read: 304 when the client holds the current version
        entry["conditionalRead"] = "not-match"
    if kind.create and kind.create.conditional:  # If-None-Exist (referral_views.py)
        entry["conditionalCreate"] = True
    if kind.profile:
        # supportedProfile, not profile: a self-referral's Task cannot claim Gravity's (it has
        # no requester), so the profile is supported rather than true of every instance
        entry["supportedProfile"] = [kind.profile]
    if kind.params:
        entry["searchParam"] = [
            {"name": name, "type": param.type, "documentation": param.documentation}
            for name, param in kind.params.items()
        ]
    return entry


def statement(*, base: str, kinds, transaction) -> CapabilityStatement:
    return CapabilityStatement(
        status="active",
        date=timezone.now(),
        kind="instance",
        fhirVersion="4.0.1",
        format=["json", "xml"],
        software={"name": "Linkwell"},
        implementation={"description": "Linkwell social prescribing", "url": base},
        rest=[
            {
                "mode": "server",
                "documentation": "Bearer token (`linkwell token create`) or a signed-in session. "
                "POST a transaction Bundle (Patient + ServiceRequest) to the base URL to refer; "
                "follow the returned Task. A provider's system updates the Task of an onward "
                "referral with PUT Task/connection-N. Search (GET, or POST [type]/_search) "
                "answers pages of _count with self and next links, or the total alone with "
                "_summary=count; a parameter it does not know is ignored and named in an "
                "OperationOutcome entry, or refused under Prefer: handling=strict; an "
                "unsupported modifier (status:not) is refused.",
                "security": {"service": [{"text": "Bearer token"}]},
                "resource": [_resource(kind) for kind in kinds],
                "interaction": [_interaction("transaction", transaction)],
            }
        ],
    )
