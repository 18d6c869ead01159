from django.urls import path

from ensemble.meet import home, janus_events, views

app_name = "meet"

urlpatterns = [
    path("", home.home, name="home"),
    path("janus-events/", janus_events.receive, name="janus-events"),  # Janus, not people
    path("<str:code>/", views.meeting_page, name="meeting"),
]
