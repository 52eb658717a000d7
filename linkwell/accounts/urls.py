from django.urls import path

from . import single_sign_on, staff_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in_view, name="login"),
    path("sign-in/code/", views.two_factor_view, name="two_factor"),
    path("sign-in/sso/", single_sign_on.start, name="sso_start"),
    path("sign-in/sso/callback/", single_sign_on.callback, name="sso_callback"),
    path("sign-out/", views.sign_out_view, name="logout"),
    path("account/", views.your_account, name="account"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("link/<str:token>/", views.account_link, name="link"),
    path("audit/", views.audit_log, name="audit"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<int:pk>/two-factor/", views.require_two_factor, name="require_two_factor"),
    path("staff/", staff_views.staff_list, name="staff"),
    path("staff/invite/", staff_views.invite, name="invite"),
    path("staff/service-account/", staff_views.service_account_new, name="service_account_new"),
    path("staff/<int:pk>/", staff_views.staff_member, name="staff_member"),
    path("staff/<int:pk>/<slug:action>/", staff_views.staff_action, name="staff_action"),
]
