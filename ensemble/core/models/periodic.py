from django.db import models


class PeriodicJob(models.Model):
    """When a periodic background job was last enqueued (see ensemble.core.schedule)."""

    name = models.CharField(max_length=255, primary_key=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
