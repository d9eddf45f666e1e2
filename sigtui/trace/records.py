"""What the tracer reports: a signal with its sender and fate, an exit, a loss.

Standard library only. These are the records the reader process writes (as
JSON lines, :func:`to_json`) and that ``sigtui trace``, the TUI's log and the
details panel read back (:func:`from_json`). Words for people are in
:mod:`sigtui.trace.words`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import Enum


class Result(Enum):
    """What the kernel did with a signal when it was generated (``res``)."""

    QUEUED = "queued"
    IGNORED = "ignored"
    MERGED = "merged"
    DROPPED = "dropped"
    QUEUED_NO_INFO = "queued without its siginfo"


RESULTS = (
    Result.QUEUED,
    Result.IGNORED,
    Result.MERGED,
    Result.DROPPED,
    Result.QUEUED_NO_INFO,
)
"""The tracepoint's ``res`` numbers 0..4, in order (research/tracing.md 1)."""


class Fate(Enum):
    """What became of a generated signal."""

    CAUGHT = "caught"
    """A handler ran."""
    IGNORED = "ignored"
    """Thrown away: ignored by the target, or by default (SIGCHLD, SIGWINCH)."""
    KILLED = "killed"
    """Taken with the default action, which ended the process."""
    STOPPED = "stopped"
    """Taken with the default action, which stopped the process."""
    CONTINUED = "continued"
    """SIGCONT: the process continued if it was stopped; no handler ran."""
    MERGED = "merged"
    """The same standard signal was already pending: this one adds nothing."""
    DROPPED = "dropped"
    """The realtime queue was full; the sender got EAGAIN."""
    WAITED = "waited for"
    """Taken with sigwaitinfo or signalfd: no longer pending, yet no delivery."""
    PENDING = "pending"
    """Not taken yet: blocked."""
    EXITED_FIRST = "exited first"
    """The target ended before it took the signal."""

    @property
    def settled(self) -> bool:
        """Whether this fate is final (everything but pending)."""
        return self is not Fate.PENDING


class Sender(Enum):
    """Who generated a signal."""

    PROCESS = "process"
    """A process (kill, tgkill, sigqueue, an exiting child's SIGCHLD...)."""
    KERNEL = "kernel"
    """The kernel on nobody's behalf: a timer, the terminal (^C), the OOM killer."""
    CPU = "cpu"
    """A fault the CPU raised in the target itself (SIGSEGV, SIGFPE...)."""


@dataclass(slots=True)
class TracedSignal:
    """One generated signal, with its sender and, once known, its fate.

    Attributes:
        id: Its number in this trace; a late fate repeats the id.
        time: When it was generated, ``time.monotonic()`` seconds.
        signo: The signal's number.
        code: Its ``si_code`` (0 kill(), -6 tgkill(), 128 the kernel...).
        sender: Who sent it.
        sender_pid: The sending process (thread group id), 0 for the kernel.
        sender_tid: The sending thread.
        sender_name: The sender's command name, or "" for the kernel.
        target_pid: The target process (thread group id, when known).
        target_tid: The target thread the kernel named.
        target_name: The target's command name.
        process_directed: True for kill() (any thread may take it), False for
            tgkill() and faults (only that thread).
        result: What the kernel did at once.
        fate: What became of it.
        taken: When the target took it (``time.monotonic()``), if it did.
        handler: The handler's address as hex, when a handler ran.
        burst: The id of the first of a run of the same signal from the same
            sender to several processes (a group send), else 0.
        burst_size: How many processes that run reached so far, else 1.
        pgid: The process group all of that run's targets share, if known.
        late: True when this repeats an earlier pending record with its fate.
    """

    id: int
    time: float
    signo: int
    code: int
    sender: Sender
    sender_pid: int
    sender_tid: int
    sender_name: str
    target_pid: int
    target_tid: int
    target_name: str
    process_directed: bool
    result: Result
    fate: Fate
    taken: float | None = None
    handler: str = ""
    burst: int = 0
    burst_size: int = 1
    pgid: int = 0
    late: bool = False


@dataclass(frozen=True, slots=True)
class Exited:
    """A process ended, and how.

    Attributes:
        time: When its last thread exited, ``time.monotonic()`` seconds.
        pid: The process.
        name: Its command name.
        signo: The signal that killed it, or 0 if it exited by itself.
        status: Its exit status, if it exited by itself and it could be read.
        by: The record of the signal that killed it, if traced.
    """

    time: float
    pid: int
    name: str
    signo: int = 0
    status: int | None = None
    by: TracedSignal | None = None


@dataclass(frozen=True, slots=True)
class Lost:
    """The kernel's buffer overflowed and events were lost.

    Attributes:
        time: When the loss was read, ``time.monotonic()`` seconds.
        count: How many events were lost.
    """

    time: float
    count: int


Record = TracedSignal | Exited | Lost
"""Anything the tracer reports."""


def _signal_dict(record: TracedSignal) -> dict[str, object]:
    data = asdict(record)
    data["sender"] = record.sender.value
    data["result"] = record.result.value
    data["fate"] = record.fate.value
    return data


def to_json(record: Record) -> str:
    """Write a record as one JSON line (without the newline).

    Args:
        record: The record.

    Returns:
        A JSON object with a ``type`` of ``signal``, ``exit`` or ``lost``.
    """
    if isinstance(record, TracedSignal):
        return json.dumps({"type": "signal", **_signal_dict(record)})
    if isinstance(record, Exited):
        data: dict[str, object] = {
            "type": "exit",
            "time": record.time,
            "pid": record.pid,
            "name": record.name,
            "signo": record.signo,
            "status": record.status,
            "by": _signal_dict(record.by) if record.by else None,
        }
        return json.dumps(data)
    return json.dumps({"type": "lost", "time": record.time, "count": record.count})


def _signal_from(data: dict[str, object]) -> TracedSignal:
    fields = {k: v for k, v in data.items() if k != "type"}
    fields["sender"] = Sender(fields["sender"])
    fields["result"] = Result(fields["result"])
    fields["fate"] = Fate(fields["fate"])
    return TracedSignal(**fields)  # type: ignore[arg-type]


def from_json(line: str | bytes) -> Record:
    """Read a record written by :func:`to_json`.

    Args:
        line: One JSON line.

    Returns:
        The record.

    Raises:
        ValueError: If the line is not a record.
    """
    try:
        data = json.loads(line)
        kind = data["type"]
        if kind == "signal":
            return _signal_from(data)
        if kind == "exit":
            by = data["by"]
            return Exited(
                time=float(data["time"]),
                pid=int(data["pid"]),
                name=str(data["name"]),
                signo=int(data["signo"]),
                status=None if data["status"] is None else int(data["status"]),
                by=_signal_from(by) if by else None,
            )
        if kind == "lost":
            return Lost(time=float(data["time"]), count=int(data["count"]))
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a trace record: {error}") from None
    raise ValueError(f"not a trace record: type {kind!r}")
