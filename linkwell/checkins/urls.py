from django.urls import path

from . import views

app_name = "checkins"
urlpatterns = [
    path("connections/<int:pk>/check-in/", views.set_due, name="set_due"),
    path("c/<str:token>/", views.answer, name="answer"),
]
