from django.urls import path

from . import views

app_name = "connections"
urlpatterns = [
    path("connections/cases/<int:pk>/refer/", views.refer, name="refer"),
    path("connections/<int:pk>/status/", views.status, name="status"),
    path("connections/<int:pk>/remind/", views.remind, name="remind"),
    path("provider/", views.portal, name="portal"),
    path("provider/referrals/<int:pk>/", views.provider_referral, name="provider_referral"),
    path("provider/referrals/<int:pk>/status/", views.provider_update, name="provider_update"),
    path("respond/<str:token>/", views.respond, name="respond"),
]
