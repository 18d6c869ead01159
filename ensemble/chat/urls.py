from django.urls import path

from ensemble.chat import views

app_name = "chat"

urlpatterns = [
    path("", views.chat_view, name="home"),
    path("<uuid:room_id>/", views.chat_view, name="room"),
]
