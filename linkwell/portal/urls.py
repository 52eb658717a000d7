from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("refer-yourself/", views.self_referral, name="self_referral"),
    path("cases/<int:pk>/own-page/send/", views.send_page, name="send_page"),
    path("p/<str:token>/", views.person_link, name="person_link"),
    path("my-page/", views.person_view, name="person_page"),
    path("my-page/measure/", views.person_measure, name="person_measure"),
    path("my-page/close/", views.person_close, name="person_close"),
]
