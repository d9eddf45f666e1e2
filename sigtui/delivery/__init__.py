"""Delivery: sending signals safely and reporting what they did.

Standard library, psutil and sigtui's own non-UI packages only; never imports
Textual or Rich.
"""

from sigtui.delivery.guards import Context, Verdict, check
from sigtui.delivery.send import (
    GuardError,
    Sender,
    SendResult,
    Status,
    Syscalls,
    summary,
)
from sigtui.delivery.targets import (
    GroupTarget,
    ProcessTarget,
    TaggedTarget,
    Target,
    member_line,
)
from sigtui.delivery.watch import (
    Ending,
    Escalation,
    Fate,
    Observation,
    end_gracefully,
    watch,
)

__all__ = [
    "Context",
    "Ending",
    "Escalation",
    "Fate",
    "GroupTarget",
    "GuardError",
    "Observation",
    "ProcessTarget",
    "SendResult",
    "Sender",
    "Status",
    "Syscalls",
    "TaggedTarget",
    "Target",
    "Verdict",
    "check",
    "end_gracefully",
    "member_line",
    "summary",
    "watch",
]
