from ensemble.core.models.audit import AuditChainHead, AuditEntry
from ensemble.core.models.base import BaseModel
from ensemble.core.models.periodic import PeriodicJob
from ensemble.core.models.streams import StreamCursor, StreamEvent
from ensemble.core.models.tasks import TaskFailure

__all__ = [
    "AuditChainHead",
    "AuditEntry",
    "BaseModel",
    "PeriodicJob",
    "StreamCursor",
    "StreamEvent",
    "TaskFailure",
]
