from django.urls import path

from . import views

app_name = "delivery"
urlpatterns = [
    path("delivery/", views.outbox, name="outbox"),
    path("delivery/<int:pk>/practice-has-it/", views.confirm_received, name="confirm_received"),
    path("delivery/notify/receipts", views.notify_receipt, name="notify_receipt"),
]
