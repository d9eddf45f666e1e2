"""The demo child's wire format: JSON lines both ways, decoded once into reports.

Standard library only: the child imports this module and nothing heavier. The
child and the supervisor always ship together, so a line that does not match
this format exactly is a bad line, never something to tolerate.

Child to sigtui (the report pipe), one JSON object per line, every object with
``"v": VERSION`` and ``"type"``; :func:`decode` turns each into the frozen
dataclass named here:

``ready`` (:class:`Ready`)
    ``pid``, ``pgid``, ``members`` (pids of the member processes). Sent once,
    when every catchable signal is blocked and the members are set up.
``signal`` (:class:`SignalReport`)
    One delivery: ``seq``, ``signo``, ``name``, ``si_pid``, ``si_uid``,
    ``si_code``, ``code`` (``SI_USER``...), ``t_mono_ns``, ``disposition``
    (what the child did: ``catch``, or ``drained`` when a held signal was
    let through), ``sender``: the sender's command line as the child read it
    from ``/proc/<si_pid>/cmdline`` on receipt (``[comm]`` for a process
    without one), or null when it could not be read.
``tick`` (:class:`Tick`)
    The heartbeat: ``n`` and ``t_mono_ns``.
``disposition`` (:class:`DispositionAck`)
    Acknowledges a change: ``signo``, ``name``, ``disposition``.
``error`` (:class:`ControlError`)
    ``message``: a control line the child could not use; ``signo`` when the
    line named a signal (null otherwise).
``member`` (:class:`MemberEnded`)
    A member process ended and the child reaped it: ``pid``, ``how``
    (``exited``, ``killed``, or ``gone`` when the kernel reaped it because
    SIGCHLD was ignored), ``status`` (the exit status or the signal number,
    null for ``gone``), ``name`` (the signal's name when killed, else null),
    ``core`` (a core was dumped).
``bye`` (:class:`Bye`)
    The child is about to exit: ``reason`` (``quit``, ``lifeline`` or
    ``interrupted``), after its members' ``member`` messages. Not sent when
    the report pipe is already gone, nor when a signal's default action ends
    the child.

sigtui to the child (the control pipe): ``{"v": 1, "cmd": "set", "signo": 10,
"disposition": "hold"}`` or ``{"v": 1, "cmd": "quit"}``.
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass, field
from typing import Any

VERSION = 1
"""Marks a line as this protocol's; a line without it is a bad line."""

DISPOSITIONS = ("catch", "ignore", "default", "hold")
"""What the child can do with a signal: log it, SIG_IGN, SIG_DFL, keep it pending."""

SI_CODES = {
    0: "SI_USER",
    0x80: "SI_KERNEL",
    -1: "SI_QUEUE",
    -2: "SI_TIMER",
    -3: "SI_MESGQ",
    -4: "SI_ASYNCIO",
    -5: "SI_SIGIO",
    -6: "SI_TKILL",
    -7: "SI_DETHREAD",
    -60: "SI_ASYNCNL",
}
"""Linux's ``si_code`` values for signals sent by processes and the kernel."""

MAX_LINE = 1 << 20
"""Bytes a line may have; a longer one is one bad line, however it arrives."""


CLD_CODES = {
    1: "CLD_EXITED",
    2: "CLD_KILLED",
    3: "CLD_DUMPED",
    4: "CLD_TRAPPED",
    5: "CLD_STOPPED",
    6: "CLD_CONTINUED",
}
"""``si_code`` values of a SIGCHLD the kernel sends about a child."""


def code_name(si_code: int, signo: int | None = None) -> str:
    """Name an ``si_code`` (``SI_USER`` for kill(), ``SI_TKILL`` for tgkill()...).

    Args:
        si_code: The value from siginfo.
        signo: The signal it came with, if known: positive codes mean
            something different for each signal (for SIGCHLD, ``CLD_EXITED``
            and its siblings).

    Returns:
        Its name, or the number as text.
    """
    if si_code > 0 and signo == signal.SIGCHLD and si_code in CLD_CODES:
        return CLD_CODES[si_code]
    return SI_CODES.get(si_code, str(si_code))


def encode(message: dict[str, Any]) -> bytes:
    """Encode one message as a JSON line, adding the version.

    Args:
        message: The fields (``type`` or ``cmd`` included).

    Returns:
        The line, newline-terminated.
    """
    text = json.dumps({"v": VERSION, **message}, separators=(",", ":"))
    return (text + "\n").encode()


@dataclass
class LineReader:
    """Splits a byte stream into messages; bad or partial lines never raise.

    Attributes:
        bad_lines: How many lines were skipped (not UTF-8 JSON, not an object,
            wrong version, no type, longer than ``MAX_LINE``).
    """

    bad_lines: int = 0
    _buffer: bytes = field(default=b"", repr=False)
    _skipping: bool = field(default=False, repr=False)

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        """Take more bytes; return every complete, valid message in them.

        The result does not depend on how the stream is split into ``data``.

        Args:
            data: Bytes read from the pipe (any split is fine).

        Returns:
            The messages completed by this data.
        """
        if self._skipping:
            # The rest of a line already counted as too long: up to its end.
            end = data.find(b"\n")
            if end < 0:
                return []
            self._skipping = False
            data = data[end + 1 :]
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        messages = []
        for line in lines:
            if len(line) > MAX_LINE:
                self.bad_lines += 1
                continue
            message = self.parse(line)
            if message is not None:
                messages.append(message)
        # A line that never ends must not grow the buffer without bound.
        if len(self._buffer) > MAX_LINE:
            self._buffer = b""
            self._skipping = True
            self.bad_lines += 1
        return messages

    def parse(self, line: bytes) -> dict[str, Any] | None:
        """Parse one line, counting it as bad if it is not a valid message.

        Args:
            line: One line, without its newline.

        Returns:
            The message, or None.
        """
        if not line.strip():
            return None
        try:
            # Decoded here: json.loads(bytes) would also take UTF-16 and UTF-32.
            message = json.loads(line.decode("utf-8"))
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            self.bad_lines += 1
            return None
        if (
            not isinstance(message, dict)
            # The number itself: true and 1.0 compare equal to 1.
            or type(message.get("v")) is not int
            or message["v"] != VERSION
            or not isinstance(message.get("type", message.get("cmd")), str)
        ):
            self.bad_lines += 1
            return None
        return message


@dataclass(frozen=True)
class Ready:
    """The child is ready to receive signals.

    Attributes:
        pid: The child.
        pgid: Its process group (its own).
        members: The member processes in its group.
    """

    pid: int
    pgid: int
    members: tuple[int, ...]


@dataclass(frozen=True)
class SignalReport:
    """The child dequeued one signal.

    Attributes:
        seq: Its sequence number, from 1.
        signo: The signal.
        name: The signal's name.
        si_pid: The sender's pid.
        si_uid: The sender's uid.
        si_code: How it was sent (``SI_USER``...), as a number.
        code: The same, named.
        t_mono_ns: ``CLOCK_MONOTONIC`` at receipt, in nanoseconds.
        disposition: ``catch``, or ``drained`` for a held one let through.
        sender: The sender's command line, read at receipt, if it could be.
    """

    seq: int
    signo: int
    name: str
    si_pid: int
    si_uid: int
    si_code: int
    code: str
    t_mono_ns: int
    disposition: str
    sender: str | None


@dataclass(frozen=True)
class Tick:
    """The heartbeat.

    Attributes:
        n: Its number, from 1.
        t_mono_ns: When, ``CLOCK_MONOTONIC`` in nanoseconds.
    """

    n: int
    t_mono_ns: int


@dataclass(frozen=True)
class DispositionAck:
    """The child now does this with a signal.

    Attributes:
        signo: The signal.
        name: Its name.
        disposition: One of :data:`DISPOSITIONS`.
    """

    signo: int
    name: str
    disposition: str


@dataclass(frozen=True)
class ControlError:
    """A control line the child could not use.

    Attributes:
        message: What was wrong.
        signo: The signal the line named, if any.
    """

    message: str
    signo: int | None


@dataclass(frozen=True)
class MemberEnded:
    """A member process ended and the child reaped it.

    Attributes:
        pid: The member.
        how: ``exited``, ``killed`` or ``gone`` (reaped by the kernel).
        status: The exit status or the signal number (None for ``gone``).
        name: The signal's name when killed.
        core: Whether a core was dumped.
    """

    pid: int
    how: str
    status: int | None
    name: str | None
    core: bool


@dataclass(frozen=True)
class Bye:
    """The child is about to exit.

    Attributes:
        reason: ``quit``, ``lifeline`` or ``interrupted``.
    """

    reason: str


Report = Ready | SignalReport | Tick | DispositionAck | ControlError | MemberEnded | Bye
"""Everything the child reports."""


def decode(message: dict[str, Any]) -> Report | None:
    """Turn one message from the child into its report.

    Args:
        message: A message :class:`LineReader` accepted.

    Returns:
        The report, or None if the message is not exactly one of the
        child's (a field missing or of the wrong type, an unknown type).
    """
    match message:
        case {"type": "tick", "n": int(n), "t_mono_ns": int(t)}:
            return Tick(n, t)
        case {
            "type": "signal",
            "seq": int(seq),
            "signo": int(signo),
            "name": str(name),
            "si_pid": int(si_pid),
            "si_uid": int(si_uid),
            "si_code": int(si_code),
            "code": str(code),
            "t_mono_ns": int(t),
            "disposition": str(disposition),
            "sender": str() | None as sender,
        }:
            return SignalReport(
                seq, signo, name, si_pid, si_uid, si_code, code, t, disposition, sender
            )
        case {
            "type": "disposition",
            "signo": int(signo),
            "name": str(name),
            "disposition": str(disposition),
        }:
            return DispositionAck(signo, name, disposition)
        case {"type": "ready", "pid": int(pid), "pgid": int(pgid), "members": list()}:
            members = message["members"]
            if all(type(m) is int for m in members):
                return Ready(pid, pgid, tuple(members))
        case {
            "type": "member",
            "pid": int(pid),
            "how": str(how),
            "status": int() | None as status,
            "name": str() | None as name,
            "core": bool(core),
        }:
            return MemberEnded(pid, how, status, name, core)
        case {"type": "error", "message": str(text), "signo": int() | None as signo}:
            return ControlError(text, signo)
        case {"type": "bye", "reason": str(reason)}:
            return Bye(reason)
    return None


@dataclass
class Decoder:
    """Turns the report pipe's bytes into reports; bad lines are only counted.

    Attributes:
        lines: Splits the stream into messages.
        bad_lines: Lines that were not one of the child's reports.
    """

    lines: LineReader = field(default_factory=LineReader)
    bad_lines: int = 0

    def feed(self, data: bytes) -> list[Report]:
        """Take more bytes; return the reports they complete.

        Args:
            data: Bytes read from the pipe (any split is fine).

        Returns:
            The reports, in order.
        """
        reports = []
        for message in self.lines.feed(data):
            report = decode(message)
            if report is None:
                self.bad_lines += 1
            else:
                reports.append(report)
        return reports

    @property
    def skipped(self) -> int:
        """Every line skipped: not the protocol, or not a report."""
        return self.lines.bad_lines + self.bad_lines
