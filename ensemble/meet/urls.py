from django.urls import path

from ensemble.meet import views

app_name = "meet"

urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.meeting_page, name="meeting"),
]
