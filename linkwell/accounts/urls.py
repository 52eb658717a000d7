from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in_view, name="login"),
    path("sign-in/code/", views.two_factor_view, name="two_factor"),
    path("sign-out/", views.sign_out_view, name="logout"),
    path("audit/", views.audit_log, name="audit"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<int:pk>/two-factor/", views.require_two_factor, name="require_two_factor"),
]
