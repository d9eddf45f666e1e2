"""What every lesson program shares: its options, reports, lifeline and name.

Standard library only (plus :mod:`sigtui.demo.protocol`), so a program starts
fast. A program reports to the run as JSON lines on ``--report-fd``; every line
is one ``os.write`` shorter than ``PIPE_BUF``, so the lines of the programs that
share the pipe never mix. It exits when ``--lifeline-fd`` reaches end of file:
the run closed it, or the run is gone.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import signal
import time
from typing import Any, NoReturn

from sigtui.demo.naming import set_name
from sigtui.demo.protocol import encode


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the options every program takes.

    Args:
        description: What the program is.

    Returns:
        The parser, with ``--name``, ``--report-fd`` and ``--lifeline-fd``.
    """
    result = argparse.ArgumentParser(description=description)
    result.add_argument("--name", required=True, help="its role, shown in the log")
    result.add_argument("--report-fd", type=int, required=True)
    result.add_argument("--lifeline-fd", type=int, required=True)
    return result


class Program:
    """The running program's link to the lesson run.

    Args:
        name: Its role (``ticker``), shown as its command line and kernel name.
        report_fd: Where reports go.
        lifeline_fd: Whose end of file means "exit now".
    """

    def __init__(self, name: str, report_fd: int, lifeline_fd: int) -> None:
        self.name = name
        self.report_fd = report_fd
        self.lifeline_fd = lifeline_fd
        set_name(name)
        # A signal handler runs between two bytecodes of the main thread; the
        # wakeup fd gets a byte from the C handler, so wait() returns at once.
        self._wake_r, wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)

    def report(self, kind: str, **fields: Any) -> None:
        """Send one report line; exit quietly if the run has gone.

        Args:
            kind: The message type.
            **fields: Its fields (JSON-serialisable).
        """
        try:
            message = {"type": kind, "pid": os.getpid(), "name": self.name, **fields}
            os.write(self.report_fd, encode(message))
        except OSError:
            self.exit(0)

    def wait(self, timeout: float | None) -> None:
        """Sleep until a signal, the timeout, or the lifeline's end (then exit).

        Args:
            timeout: Seconds at most; None for no limit.
        """
        readable, _, _ = select.select(
            [self.lifeline_fd, self._wake_r], [], [], timeout
        )
        if self.lifeline_fd in readable:
            try:
                data = os.read(self.lifeline_fd, 64)
            except OSError:
                data = b""
            if not data:
                self.exit(0)
        if self._wake_r in readable:
            with contextlib.suppress(OSError):
                os.read(self._wake_r, 4096)

    def pause(self, seconds: float) -> None:
        """Wait this long (signal handlers still run), or exit on the lifeline.

        Args:
            seconds: How long.
        """
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.wait(left)

    def exit(self, status: int) -> NoReturn:
        """Exit now (``finally`` blocks and ``atexit`` still run).

        Args:
            status: The exit status.
        """
        raise SystemExit(status)
