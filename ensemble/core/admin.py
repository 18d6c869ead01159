from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from ensemble.core import audit
from ensemble.core.models import AuditEntry, TaskFailure


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Browse and filter the audit log; it cannot be changed from here (or anywhere)."""

    list_display = ["position", "time", "actor_label", "action", "target_label", "ip"]
    list_filter = ["action", ("time", admin.DateFieldListFilter)]
    search_fields = ["actor_label", "action", "target_label", "target_id", "ip"]
    date_hierarchy = "time"
    actions = ["export_jsonl"]
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        """A superuser sees every entry; another operator, its organisation's."""
        from ensemble.accounts.scopes import audit_entries_of

        return audit_entries_of(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Export the selected entries as JSON lines"))
    def export_jsonl(self, request: HttpRequest, queryset: Any) -> StreamingHttpResponse:
        response = StreamingHttpResponse(
            audit.export_lines(queryset), content_type="application/jsonl"
        )
        response["Content-Disposition"] = 'attachment; filename="audit.jsonl"'
        return response


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin[TaskFailure]):
    list_display = ["task", "failed_at", "attempts", "resolved"]
    list_filter = ["resolved", "task"]
    readonly_fields = ["task", "arguments", "attempts", "error", "failed_at"]
    list_editable = ["resolved"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
