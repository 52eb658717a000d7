from django.urls import path

from . import views

app_name = "delivery"
urlpatterns = [
    path("delivery/", views.outbox, name="outbox"),
    path("delivery/notify/receipts", views.notify_receipt, name="notify_receipt"),
]
