from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("cases/<int:pk>/measures/new/", views.measure_new, name="measure_new"),
    path("cases/<int:pk>/measures/link/", views.measure_link, name="measure_link"),
    path("m/<str:token>/", views.self_complete, name="self_complete"),
    path("outcomes/instruments/", views.local_instruments, name="instruments"),
    path("outcomes/report/", views.report, name="report"),
]
