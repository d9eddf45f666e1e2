"""The demo child's wire format: versioned JSON lines, both ways.

Standard library only: the child imports this module and nothing heavier.

Child to sigtui (the report pipe), one JSON object per line, every object with
``"v": VERSION`` and ``"type"``:

``ready``
    ``pid``, ``pgid``, ``members`` (pids of the member processes).
``signal``
    One delivery: ``seq``, ``signo``, ``name``, ``si_pid``, ``si_uid``,
    ``si_code``, ``code`` (``SI_USER``...), ``t_mono_ns``, ``disposition``
    (what the child did: ``catch``, or ``drained`` when a held signal was
    let through).
``tick``
    The heartbeat: ``n`` and ``t_mono_ns``.
``disposition``
    Acknowledges a change: ``signo``, ``name``, ``disposition``.
``error``
    ``message``: a control line the child could not use.

sigtui to the child (the control pipe): ``{"v": 1, "cmd": "set", "signo": 10,
"disposition": "hold"}`` or ``{"v": 1, "cmd": "quit"}``.
"""

from __future__ import annotations

import json
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


def code_name(si_code: int) -> str:
    """Name an ``si_code`` (``SI_USER`` for kill(), ``SI_TKILL`` for tgkill()...).

    Args:
        si_code: The value from siginfo.

    Returns:
        Its name, or the number as text.
    """
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
        bad_lines: How many lines were skipped (not JSON, not an object, wrong
            version, no type).
    """

    bad_lines: int = 0
    _buffer: bytes = field(default=b"", repr=False)

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        """Take more bytes; return every complete, valid message in them.

        Args:
            data: Bytes read from the pipe (any split is fine).

        Returns:
            The messages completed by this data.
        """
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        messages = []
        for line in lines:
            message = self.parse(line)
            if message is not None:
                messages.append(message)
        # A line that never ends must not grow the buffer without bound.
        if len(self._buffer) > 1 << 20:
            self._buffer = b""
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
            message = json.loads(line)
        except (ValueError, UnicodeDecodeError, RecursionError):
            self.bad_lines += 1
            return None
        if (
            not isinstance(message, dict)
            or message.get("v") != VERSION
            or not isinstance(message.get("type", message.get("cmd")), str)
        ):
            self.bad_lines += 1
            return None
        return message
