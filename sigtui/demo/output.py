"""Where the demo child's reports go: JSON lines for sigtui, or text for a terminal.

Standard library only, like the child. Both writers take the protocol's
messages; the readable one decodes them first and formats each kind.
"""

from __future__ import annotations

import errno
import os
from typing import Any

from sigtui.demo import protocol


class ReaderGoneError(Exception):
    """Whoever read the child's output is gone (EPIPE, or EIO on a lost tty)."""


def _write_all(fd: int, data: bytes) -> None:
    try:
        while data:
            data = data[os.write(fd, data) :]
    except OSError as error:
        if error.errno in (errno.EPIPE, errno.EIO, errno.EBADF):
            raise ReaderGoneError from error
        raise


class JsonReport:
    """Writes protocol messages as JSON lines to a file descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, message: dict[str, Any]) -> None:
        """Write one message.

        Args:
            message: The fields, ``type`` included.

        Raises:
            ReaderGoneError: If the reader is gone.
        """
        _write_all(self.fd, protocol.encode(message))


class HumanReport:
    """Writes the same messages as readable lines, for ``sigtui demo``."""

    def __init__(self, fd: int = 1) -> None:
        self.fd = fd

    def send(self, message: dict[str, Any]) -> None:
        """Write one message as text (messages without a text form are skipped).

        Args:
            message: The fields, ``type`` included.

        Raises:
            ReaderGoneError: If the reader (the terminal or pipe) is gone.
        """
        report = protocol.decode(message)
        lines = self.format(report) if report is not None else []
        if lines:
            _write_all(self.fd, "".join(line + "\n" for line in lines).encode())

    @staticmethod
    def _group_hint(pid: int, pgid: int, members: bool) -> str:
        """How to signal the whole group, and what that does to the members.

        The members keep default dispositions (like a ``sleep`` a script
        started): a signal whose default action is to be ignored leaves them
        running, one whose default action is to terminate ends them.

        Args:
            pid: The child's pid.
            pgid: Its process group.
            members: Whether it has members.

        Returns:
            The line.
        """
        if pgid != pid:
            return f"Its group {pgid} is shared with its parent."
        if not members:
            return f"Whole group (the child alone): kill -USR1 -- -{pgid}"
        return (
            f"Whole group: kill -WINCH -- -{pgid} is logged here and the members "
            f"ignore it; kill -USR1 -- -{pgid} is logged here and ends the "
            "members (they take the default actions)."
        )

    @staticmethod
    def format(report: protocol.Report) -> list[str]:
        """Turn a report into lines of text.

        Args:
            report: The report.

        Returns:
            The lines, without newlines (none for a disposition change).
        """
        match report:
            case protocol.Ready(pid=pid, pgid=pgid):
                members = " ".join(str(m) for m in report.members) or "none"
                return [
                    f"Demo child: pid {pid}, process group {pgid}, members "
                    f"{members}. Signal it: kill -USR1 {pid}",
                    HumanReport._group_hint(pid, pgid, bool(report.members)),
                    "(Ctrl-C ends it; every other signal is logged, and KILL and "
                    "STOP cannot be.)",
                ]
            case protocol.SignalReport(sender=sender):
                shown = f' "{sender}"' if sender else ""
                return [
                    f"#{report.seq} {report.name} ({report.signo}) from pid "
                    f"{report.si_pid}{shown} uid {report.si_uid} {report.code}"
                ]
            case protocol.Tick(n=n):
                return [f"Tick {n}"]
            case protocol.MemberEnded(pid=pid, how="killed", name=name, core=core):
                dumped = " (core dumped)" if core else ""
                return [f"Member {pid} killed by {name}{dumped}"]
            case protocol.MemberEnded(pid=pid, how="exited", status=status):
                return [f"Member {pid} exited with status {status}"]
            case protocol.MemberEnded(pid=pid):
                return [f"Member {pid} gone"]
            case protocol.Bye(reason="interrupted"):
                return ["Goodbye: SIGINT (Ctrl-C) ends the demo."]
            case protocol.Bye(reason=reason):
                return [f"Goodbye ({reason})."]
            case protocol.ControlError(message=text):
                return [f"Error: {text}"]
        return []
