"""MESH (NHS England's Message Exchange for Social Care and Health) through `mesh-client`.

The message back goes to the person's registered practice: its mailbox is found by the
practice's ODS code and the workflow ID (GET /messageexchange/endpointlookup/{ods}/{workflow},
`MeshClient.lookup_endpoint`). The workflow ID is a setting, MESH_WORKFLOW_ID, by default
GPFED_CONSULT_REPORT: GP Connect Send Document, the route by which GP systems receive and file
documents about their patients from other care settings, "all consultation reports MUST use
the MESH workflow ID: GPFED_CONSULT_REPORT" (NHS England, GP Connect Send Document, "How to
configure MESH", simplifier.net/guide/gp-connect-send-document/Home/Build/How-to-configure-MESH).
Our delivery reference is the message's local ID (Mex-LocalID), so a worker that died mid-send
finds the message by it before sending again; the message id MESH returns is tracked until the
practice acknowledges (downloads) the message. (Send Document asks for the sender's ODS code in
Mex-LocalID; we keep our reference there because MESH offers no other way to find a message
whose id we never received, and the ODS code travels in the ITK3 header: docs/operations.md.)

The practice's system answers with ITK3 responses (infrastructure and business
acknowledgements, which the message asks for) under the workflow MESH_WORKFLOW_ID + "_ACK"
("How to configure MESH": GPFED_CONSULT_REPORT_ACK); `read_acknowledgements` reads them from
our inbox. An ITK3 response is a FHIR STU3 message whose MessageHeader (event ITK008M) names
the message it answers in `response.identifier` (our MessageHeader's id), says `ok`,
`transient-error` or `fatal-error` in `response.code`, and points at an OperationOutcome
whose issue carries the ITK response code (CodeSystem ITK-ResponseCodes-1, e.g. 20013 Success,
30001 Patient known here, 30002 Patient not known here).
"""

import json
import logging
import uuid
from dataclasses import dataclass

import requests
from django.conf import settings
from mesh_client import MeshClient, MeshError

from .backends import Refused, Retry

EXTENSIONS = {"application/fhir+json": ".json", "application/pdf": ".pdf"}
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Acknowledgement:
    reference: str  # our delivery reference: the answered message's id, as hex
    ok: bool
    code: str
    text: str

    @property
    def business(self) -> bool:
        """The practice's business response (ITK3 response codes 30001 to 30004, answering
        BusAckRequested), not the infrastructure one (1xxxx and 2xxxx, e.g. 20013 Success: its
        system read the message). ITK3 Messaging Distribution, "ITK3 Response Codes"
        (nhsconnect.github.io/ITK3-FHIR-Messaging-Distribution/explore_response_codes.html); a
        business response missing after a positive infrastructure one is a failure to act on
        (NHS England, "Pragmatic use of ITK3 response codes for generic FHIR receive
        programmes")."""
        return self.code.startswith("3")


def client() -> MeshClient:
    cert = None
    if settings.MESH_CLIENT_CERT:
        cert = (settings.MESH_CLIENT_CERT, settings.MESH_CLIENT_KEY)
    return MeshClient(
        settings.MESH_URL,
        settings.MESH_MAILBOX,
        settings.MESH_PASSWORD,
        shared_key=settings.MESH_SHARED_KEY.encode(),
        cert=cert,
        verify=settings.MESH_CA_CERT or None,
        max_retries=0,  # the outbox retries, with backoff, across worker runs
        timeout=settings.MESH_TIMEOUT_SECONDS,
        application_name="linkwell",
    )


def _error(e: Exception) -> Exception:
    response = getattr(e, "response", None)
    code = getattr(response, "status_code", None)
    if isinstance(e, MeshError) or (code is not None and 400 <= code < 500 and code != 429):
        return Refused(f"MESH refused the message: {e}")
    return Retry(f"MESH could not be reached: {e}")


def mailbox_for(mesh: MeshClient, ods_code: str) -> str:
    found = mesh.lookup_endpoint(ods_code, settings.MESH_WORKFLOW_ID).get("results") or []
    if not found:
        raise Refused(
            f"No MESH mailbox for practice {ods_code} and workflow {settings.MESH_WORKFLOW_ID}."
        )
    return found[0]["mailbox_id"]


class MeshBackend:
    def send(self, delivery) -> str:
        try:
            with client() as mesh:
                delivery.mesh_mailbox = mailbox_for(mesh, delivery.to)
                kind = delivery.content_type or "application/fhir+json"
                if delivery.attachment is not None:
                    data = bytes(delivery.attachment)
                else:
                    data = json.dumps(delivery.document).encode()
                return mesh.send_message(
                    delivery.mesh_mailbox,
                    data,
                    workflow_id=settings.MESH_WORKFLOW_ID,
                    local_id=delivery.reference,
                    subject=delivery.subject,
                    filename=f"{delivery.reference}{EXTENSIONS.get(kind, '')}",
                    content_type=kind,
                )
        except (MeshError, requests.RequestException) as e:
            raise _error(e) from e

    def find(self, delivery) -> str:
        """The message id of a message we sent with this local ID, or "". MESH's tracking by
        local ID (GET …/outbox/tracking/{localID}) is deprecated in favour of tracking by
        message id, but it is the only way to find a message whose id we never received."""
        try:
            with client() as mesh:
                url = f"{mesh.mailbox_url}/outbox/tracking/{delivery.reference}"
                answer = mesh._session.get(url, timeout=settings.MESH_TIMEOUT_SECONDS)
                if answer.status_code == 404:
                    return ""
                answer.raise_for_status()
                return answer.json().get("dtsId") or answer.json().get("message_id", "")
        except requests.RequestException as e:
            raise _error(e) from e

    def status(self, delivery) -> str:
        """MESH's status of a sent message: accepted, acknowledged (the practice downloaded
        it), undeliverable or error."""
        try:
            with client() as mesh:
                return (mesh.track_message(delivery.provider_id).get("status") or "").lower()
        except (MeshError, requests.RequestException) as e:
            raise _error(e) from e


def itk3_response(body: bytes) -> Acknowledgement | None:
    """The acknowledgement in an ITK3 response message, or None if it is not one."""
    try:
        entries = [e.get("resource") or {} for e in json.loads(body).get("entry", [])]
        header = next(r for r in entries if r.get("resourceType") == "MessageHeader")
        response = header["response"]
        answered = uuid.UUID(response["identifier"].removeprefix("urn:uuid:")).hex
    except (ValueError, AttributeError, KeyError, StopIteration, RecursionError):
        return None
    issues = [
        coding
        for r in entries
        if r.get("resourceType") == "OperationOutcome"
        for issue in r.get("issue", [])
        for coding in (issue.get("details") or {}).get("coding", [])
    ]
    found = issues[0] if issues else {}
    ok = response.get("code") == "ok"
    return Acknowledgement(
        reference=answered,
        ok=ok,
        code=str(found.get("code") or response.get("code", "")),
        text=str(found.get("display") or ("accepted" if ok else "refused")),
    )


def read_acknowledgements(record) -> int:
    """Hand each ITK3 response waiting in our inbox to `record`, then acknowledge it (MESH
    removes it); returns how many were read."""
    read = 0
    try:
        with client() as mesh:
            workflow = f"{settings.MESH_WORKFLOW_ID}_ACK"
            for message_id in mesh.list_messages(workflow_filter=workflow):
                found = itk3_response(mesh.retrieve_message(message_id).read())
                if found is None:
                    logger.warning("MESH message %s is not an ITK3 response; left", message_id)
                    continue
                record(found)
                mesh.acknowledge_message(message_id)
                read += 1
    except (MeshError, requests.RequestException) as e:
        raise _error(e) from e
    return read
