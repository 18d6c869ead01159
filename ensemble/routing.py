from django.urls import path

from ensemble.core.realtime import StreamConsumer
from ensemble.docs.realtime import DocumentConsumer

websocket_urlpatterns = [
    path("ws/", StreamConsumer.as_asgi()),
    path("ws/docs/<str:document_id>/", DocumentConsumer.as_asgi()),
]
