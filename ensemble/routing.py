from django.urls import path

from ensemble.core.realtime import StreamConsumer

websocket_urlpatterns = [path("ws/", StreamConsumer.as_asgi())]
