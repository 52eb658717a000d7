from django.urls import path

from . import views

app_name = "interop"
urlpatterns = [
    path(
        "QuestionnaireResponse/<str:pk>",
        views.questionnaire_response,
        name="questionnaire_response",
    ),
    path("Observation/<str:pk>", views.observation, name="observation"),
    path("Questionnaire/<slug:code>", views.questionnaire, name="questionnaire"),
]
