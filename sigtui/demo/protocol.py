"""The demo child's wire format: versioned JSON lines, both ways.

Standard library only: the child imports this module and nothing heavier.

Child to sigtui (the report pipe), one JSON object per line, every object with
``"v": VERSION`` and ``"type"``:

``ready``
    ``pid``, ``pgid``, ``members`` (pids of the member processes). Sent once,
    when every catchable signal is blocked and the members are set up.
``signal``
    One delivery: ``seq``, ``signo``, ``name``, ``si_pid``, ``si_uid``,
    ``si_code``, ``code`` (``SI_USER``...), ``t_mono_ns``, ``disposition``
    (what the child did: ``catch``, or ``drained`` when a held signal was
    let through). Added compatibly: ``sender``, the sender's command line as
    the child read it from ``/proc/<si_pid>/cmdline`` on receipt (``[comm]``
    for a process without one), or null when it could not be read.
``tick``
    The heartbeat: ``n`` and ``t_mono_ns``.
``disposition``
    Acknowledges a change: ``signo``, ``name``, ``disposition``.
``error``
    ``message``: a control line the child could not use. Added compatibly:
    ``signo`` when the line named a signal (null otherwise).

Added compatibly (a reader that does not know a type may skip it):

``member``
    A member process ended and the child reaped it: ``pid``, ``how``
    (``exited``, ``killed``, or ``gone`` when the kernel reaped it because
    SIGCHLD was ignored), ``status`` (the exit status or the signal number,
    null for ``gone``), ``name`` (the signal's name when killed, else null),
    ``core`` (a core was dumped).
``bye``
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
"""The protocol version; a reader skips lines of another version."""

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
