from django.urls import path

from linkwell.accounts.permissions import Capability

from . import message_back_views, referral_views, task_updates, views
from .fhir_formats import xml_body

REFERRER = Capability.MAKE_REFERRALS

app_name = "interop"
urlpatterns = [
    path(
        "QuestionnaireResponse/<str:pk>",
        views.questionnaire_response,
        name="questionnaire_response",
    ),
    path("Observation/<str:pk>", views.observation, name="observation"),
    path("Questionnaire/<slug:code>", views.questionnaire, name="questionnaire"),
    # referrals in and their closed loop out (referral_views.py)
    path("", xml_body(referral_views.transaction, REFERRER), name="transaction"),
    path("metadata", referral_views.metadata, name="metadata"),
    path(
        "ServiceRequest",
        xml_body(referral_views.service_request_create, REFERRER),
        name="service_request_create",
    ),
    path("ServiceRequest/<str:pk>", referral_views.service_request, name="service_request"),
    path("Task", referral_views.task_search, name="task_search"),
    path("Task/<str:pk>", task_updates.task, name="task"),  # GET reads; PUT updates (providers)
    path("Patient/<str:pk>", referral_views.patient, name="patient"),
    path("Consent/<str:pk>", referral_views.consent, name="consent"),
    path("Goal/<str:pk>", referral_views.goal, name="goal"),
    # the messages back as sent, for GP systems (message_back_views.py)
    path(
        "DocumentReference",
        message_back_views.document_reference_search,
        name="document_reference_search",
    ),
]
