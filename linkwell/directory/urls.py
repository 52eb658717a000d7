"""The directory's pages (namespace "directory") and the ORUK read API (namespace "oruk", at
the top level: django-ninja reverses its own "oruk:…" names for the docs page)."""

from django.urls import include, path, re_path

from . import views
from .oruk_api import elsewhere, urls

pages = [
    path("cases/<int:pk>/find-support/", views.find_support, name="find_support"),
    path("cases/<int:pk>/find-support/pick/", views.pick, name="pick"),
    path("directory/", views.search, name="search"),
    path("directory/review/", views.review, name="review"),
    path("directory/services/<str:service_id>/", views.service_detail, name="service"),
    path("directory/services/<str:pk>/confirm/", views.confirm, name="confirm"),
    path("directory/services/<str:pk>/edit/", views.edit, name="edit"),
]
urlpatterns = [
    path("", include((pages, "directory"))),
    path("oruk/", urls()),
    re_path(r"^oruk/(?P<rest>.*)$", elsewhere, name="oruk_elsewhere"),
]
