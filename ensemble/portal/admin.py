from django.contrib import admin

from ensemble.portal.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["title", "recipient", "created_at", "read_at"]
    search_fields = ["title", "recipient__email"]
    raw_id_fields = ["recipient"]
