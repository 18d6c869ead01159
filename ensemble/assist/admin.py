from django.contrib import admin

from ensemble.assist.models import AssistSettings


@admin.register(AssistSettings)
class AssistSettingsAdmin(admin.ModelAdmin[AssistSettings]):
    list_display = ["organisation", "summaries", "writing", "transcription"]
    autocomplete_fields = ["organisation"]
