from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("reporting/", views.dashboard, name="dashboard"),
    path("reporting/headlines/", views.headlines_page, name="headlines"),
    path("reporting/pcn/<int:pk>/", views.pcn_dashboard, name="pcn"),
    path("reporting/completeness/", views.completeness, name="completeness"),
    path("reporting/print/", views.printable, name="print"),
    path("reporting/report.pdf", views.pdf, name="pdf"),
    path("reporting/export/<slug:table>.<str:fmt>", views.export, name="export"),
    path("reporting/national-return.csv", views.national_return_csv, name="national_return"),
]
