from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [path("refer-yourself/", views.self_referral, name="self_referral")]
