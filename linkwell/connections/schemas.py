"""API shapes for onward referrals ("connections")."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from .lifecycle import Status
from .models import SharedDetail

NOTE = Field("", max_length=5000)
# The statuses inline (not a `Status` component): cases have a `Status` enum of their own.
ConnectionStatus = Literal[tuple(Status.values)]


class ReferIn(Schema):
    service_id: str = Field(..., min_length=1, max_length=100, description="Directory service id")
    shared_details: list[SharedDetail] = Field(..., min_length=1, max_length=len(SharedDetail))
    consent_given: Literal[True] = Field(
        ..., description="The person agreed to share these details with the service."
    )
    note: str = NOTE
    first_session_at: datetime | None = None
    wants_reminder: bool = Field(
        False, description="They would like a text or email reminder before the first session."
    )


class StatusIn(Schema):
    to: ConnectionStatus
    reason: str = Field("", max_length=5000, description="Needed to decline or withdraw.")


class ConnectionEventOut(Schema):
    at: datetime
    by: str | None = Field(None, alias="by.username")
    via: str
    from_status: ConnectionStatus | Literal[""]
    to_status: ConnectionStatus
    reason: str


class ConnectionOut(Schema):
    """As the link worker sees it, with its status history."""

    id: int
    case_id: int
    service_id: str
    service_name: str = Field(..., alias="service.name")
    status: ConnectionStatus
    shared_details: list[SharedDetail]
    note: str
    first_session_at: datetime | None
    created_at: datetime
    status_changed_at: datetime
    events: list[ConnectionEventOut]

    @staticmethod
    def resolve_events(connection):
        return list(connection.events.all())


class SharedOut(Schema):
    label: str
    value: str


class ProviderReferralOut(Schema):
    """As the provider sees it: only the details the person agreed to share."""

    id: int
    label: str = Field(..., description="The person's name if shared, else 'Referral N'.")
    service_id: str
    service_name: str
    status: ConnectionStatus
    shared: list[SharedOut]
    note: str
    first_session_at: datetime | None
    created_at: datetime
    next_steps: list[ConnectionStatus]
