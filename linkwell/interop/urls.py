from django.urls import path

from . import referral_views, views

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
    path("", referral_views.transaction, name="transaction"),
    path("metadata", referral_views.metadata, name="metadata"),
    path("ServiceRequest", referral_views.service_request_create, name="service_request_create"),
    path("ServiceRequest/<str:pk>", referral_views.service_request, name="service_request"),
    path("Task", referral_views.task_search, name="task_search"),
    path("Task/<str:pk>", referral_views.task, name="task"),
    path("Patient/<str:pk>", referral_views.patient, name="patient"),
    path("Consent/<str:pk>", referral_views.consent, name="consent"),
    path("Goal/<str:pk>", referral_views.goal, name="goal"),
]
