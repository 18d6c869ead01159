from django.db import models


class StreamCursor(models.Model):
    """The last sequence number given out on one real-time stream."""

    stream = models.CharField(max_length=200, primary_key=True)
    last_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.stream} at {self.last_seq}"


class StreamEvent(models.Model):
    """An event published on a stream, kept so that a reconnecting client can catch up."""

    stream = models.CharField(max_length=200)
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="stream_event_unique_seq")
        ]
        ordering = ["stream", "seq"]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.type}"
