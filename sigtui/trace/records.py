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
from json.encoder import encode_basestring_ascii
from typing import Any


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


_SIGNAL_BODY = (
    '"id": %d, "time": %r, "signo": %d, "code": %d, "sender": %s, '
    '"sender_pid": %d, "sender_tid": %d, "sender_name": %s, "target_pid": %d, '
    '"target_tid": %d, "target_name": %s, "process_directed": %s, "result": %s, '
    '"fate": %s, "taken": %s, "handler": %s, "burst": %d, "burst_size": %d, '
    '"pgid": %d, "late": %s'
)
"""A traced signal's fields in :func:`_signal_dict`'s order, as json.dumps writes."""

_ENUM_JSON = {
    member.value: json.dumps(member.value) for member in (*Sender, *Result, *Fate)
}
"""Keyed by value (``_value_``, a plain attribute): an Enum member's own hash
and ``.value`` are Python-level calls, too slow for three a record."""
_BOOL_JSON = {True: "true", False: "false"}
_text_json: dict[str, str] = {}
"""Names and handlers as JSON strings: a flood repeats the same few."""


def _quoted(text: str) -> str:
    quoted = _text_json.get(text)
    if quoted is None:
        if len(_text_json) > 4096:
            _text_json.clear()
        # The very function json.dumps uses for a str (ensure_ascii).
        quoted = _text_json[text] = encode_basestring_ascii(text)
    return quoted


def _signal_body(record: TracedSignal) -> str:
    """The fields of :func:`_signal_dict` exactly as ``json.dumps`` writes them.

    ``asdict`` and ``json.dumps`` cost about 50 µs a record on the hot path of
    a flood; this writes the same text (keys, order, separators, escapes) in a
    few: one ``%`` format, whose ``%d`` and ``%r`` write ints and finite floats
    as json.dumps does. Any field not of its declared type (a float where an
    int belongs would lose its fraction under ``%d``) or a NaN sends the
    record through json.dumps. tests/unit/test_trace_fast.py compares them.
    """
    r = record
    time, taken = r.time, r.taken
    if not (
        type(r.id) is int
        and type(r.signo) is int
        and type(r.code) is int
        and type(r.sender_pid) is int
        and type(r.sender_tid) is int
        and type(r.target_pid) is int
        and type(r.target_tid) is int
        and type(r.burst) is int
        and type(r.burst_size) is int
        and type(r.pgid) is int
        and type(time) is float
        and time - time == 0  # not NaN or infinite (json.dumps: NaN, Infinity)
        and (taken is None or (type(taken) is float and taken - taken == 0))
        and type(r.sender_name) is str
        and type(r.target_name) is str
        and type(r.handler) is str
        and type(r.process_directed) is bool
        and type(r.late) is bool
    ):
        return json.dumps(_signal_dict(record))[1:-1]
    return _SIGNAL_BODY % (
        r.id,
        time,
        r.signo,
        r.code,
        _ENUM_JSON[r.sender._value_],
        r.sender_pid,
        r.sender_tid,
        _quoted(r.sender_name),
        r.target_pid,
        r.target_tid,
        _quoted(r.target_name),
        _BOOL_JSON[r.process_directed],
        _ENUM_JSON[r.result._value_],
        _ENUM_JSON[r.fate._value_],
        "null" if taken is None else repr(taken),
        _quoted(r.handler),
        r.burst,
        r.burst_size,
        r.pgid,
        _BOOL_JSON[r.late],
    )


def to_json(record: Record) -> str:
    """Write a record as one JSON line (without the newline).

    Args:
        record: The record.

    Returns:
        A JSON object with a ``type`` of ``signal``, ``exit`` or ``lost``.
    """
    if isinstance(record, TracedSignal):
        return '{"type": "signal", ' + _signal_body(record) + "}"
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


_SENDER_OF = {member.value: member for member in Sender}
_RESULT_OF = {member.value: member for member in Result}
_FATE_OF = {member.value: member for member in Fate}


def _signal_from(data: dict[str, object]) -> TracedSignal:
    # The fast way, for a record with every field and no other (what to_json
    # writes): 20 lookups that all succeed on a dict of 20 fields (besides
    # "type") mean exactly those. Anything else takes the general way, whose
    # defaults and errors stay as they were.
    if len(data) - ("type" in data) == _SIGNAL_FIELD_COUNT:
        d: dict[str, Any] = data  # values as they come, as TracedSignal(**) took them
        try:
            return TracedSignal(
                d["id"],
                d["time"],
                d["signo"],
                d["code"],
                _SENDER_OF[d["sender"]],
                d["sender_pid"],
                d["sender_tid"],
                d["sender_name"],
                d["target_pid"],
                d["target_tid"],
                d["target_name"],
                d["process_directed"],
                _RESULT_OF[d["result"]],
                _FATE_OF[d["fate"]],
                d["taken"],
                d["handler"],
                d["burst"],
                d["burst_size"],
                d["pgid"],
                d["late"],
            )
        except (KeyError, TypeError):
            pass
    fields = {k: v for k, v in data.items() if k != "type"}
    fields["sender"] = Sender(fields["sender"])
    fields["result"] = Result(fields["result"])
    fields["fate"] = Fate(fields["fate"])
    return TracedSignal(**fields)  # type: ignore[arg-type]


_SIGNAL_FIELD_COUNT = len(TracedSignal.__dataclass_fields__)


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
