"""The REST API (version 1): every app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from ensemble.accounts.api.directory import DirectoryView
from ensemble.accounts.api.identities import IdentityViewSet
from ensemble.accounts.api.views import (
    ApiTokenViewSet,
    MeView,
    OrganisationViewSet,
    SessionViewSet,
    TeamViewSet,
)
from ensemble.assist.api.views import AssistStatusView, RewriteView, SummaryView
from ensemble.chat.api.files import AttachmentViewSet
from ensemble.chat.api.views import MessageViewSet, RoomViewSet
from ensemble.core.api_audit import AuditEntryViewSet
from ensemble.docs.api.documents import DocumentViewSet
from ensemble.docs.api.jobs import JobViewSet
from ensemble.meet.api.breakout import BreakoutViewSet
from ensemble.meet.api.recordings import RecordingViewSet
from ensemble.meet.api.team_rooms import TeamRoomViewSet
from ensemble.meet.api.views import MeetingViewSet
from ensemble.portal.api.views import NotificationViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("teams", TeamViewSet, basename="team")
router.register("sessions", SessionViewSet, basename="session")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("identities", IdentityViewSet, basename="identity")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("audit", AuditEntryViewSet, basename="audit")
router.register("chat/rooms", RoomViewSet, basename="room")
router.register("chat/messages", MessageViewSet, basename="message")
router.register("chat/attachments", AttachmentViewSet, basename="attachment")
router.register("meet/meetings", MeetingViewSet, basename="meeting")
router.register("docs/documents", DocumentViewSet, basename="docs-document")
router.register("docs/jobs", JobViewSet, basename="docs-job")
router.register(
    r"meet/meetings/(?P<code>[a-z]{3}-[a-z]{4}-[a-z]{3})/breakout",
    BreakoutViewSet,
    basename="meet-breakout",
)
router.register("meet/recordings", RecordingViewSet, basename="meet-recording")
router.register("meet/team-rooms", TeamRoomViewSet, basename="meet-team-room")

urlpatterns = [
    *router.urls,
    path("me/", MeView.as_view(), name="me"),
    path("directory/", DirectoryView.as_view(), name="directory"),
    path("assist/", AssistStatusView.as_view(), name="assist-status"),
    path("assist/rewrite/", RewriteView.as_view(), name="assist-rewrite"),
    path("assist/summaries/", SummaryView.as_view(), name="assist-summaries"),
]
