from django.urls import path

from . import views
from .oruk_api import oruk

app_name = "directory"
urlpatterns = [
    path("cases/<int:pk>/find-support/", views.find_support, name="find_support"),
    path("cases/<int:pk>/find-support/pick/", views.pick, name="pick"),
    path("directory/", views.search, name="search"),
    path("directory/review/", views.review, name="review"),
    path("directory/services/<str:service_id>/", views.service_detail, name="service"),
    path("directory/services/<str:service_id>/confirm/", views.confirm, name="confirm"),
    path("directory/services/<str:service_id>/edit/", views.edit, name="edit"),
    path("oruk/", oruk.urls),
]
