from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path(
        "people/<int:pk>/subject-access.<fmt>",
        views.subject_access_export,
        name="subject_access",
    ),
    path("people/<int:pk>/erase/", views.erase, name="erase"),
    path("people/<int:pk>/merge/<int:duplicate_pk>/", views.merge, name="merge"),
]
