from django.urls import path

from . import views

app_name = "standards"
urlpatterns = [
    path("standards/", views.completeness_page, name="completeness"),
    path("standards/cases/<int:pk>/message-back/", views.message_back_page, name="message_back"),
    path("standards/cases/<int:pk>/letter.<str:fmt>", views.letter, name="letter"),
    path("standards/cases/<int:pk>/referrer/", views.referrer, name="referrer"),
    path("referrals/<int:pk>/message-back/", views.referral_letter, name="referral_letter"),
]
