from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/bulk/", views.caseload_bulk, name="caseload_bulk"),
    path("today/", views.today, name="today"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("cases/<int:pk>/", views.case_detail, {"section": "summary"}, name="case"),
    path("cases/<int:pk>/plan/", views.case_detail, {"section": "plan"}, name="case_plan"),
    path(
        "cases/<int:pk>/connections/",
        views.case_detail,
        {"section": "connections"},
        name="case_connections",
    ),
    path(
        "cases/<int:pk>/measures/", views.case_detail, {"section": "measures"}, name="case_measures"
    ),
    path(
        "cases/<int:pk>/message-back/",
        views.case_detail,
        {"section": "message-back"},
        name="case_message_back",
    ),
    path("cases/<int:pk>/timeline/", views.case_timeline, name="case_timeline"),
    path("cases/<int:pk>/quick-contact/", views.quick_contact, name="quick_contact"),
    path("cases/<int:pk>/take/", views.take_case, name="take"),
    path("cases/<int:pk>/goals/<int:goal_id>/status/", views.goal_status, name="goal_status"),
    path("cases/<int:pk>/goals/<int:goal_id>/actions/", views.goal_action, name="goal_action"),
    path("cases/<int:pk>/tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("cases/<int:pk>/<slug:action>/", views.case_action, name="action"),
]
