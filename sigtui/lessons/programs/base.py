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
import ctypes
import os
import select
import signal
import time
from typing import Any, NoReturn

from sigtui.demo.protocol import encode

PR_SET_NAME = 15
"""prctl() option that sets the kernel's name of the process (``comm``)."""


def set_name(name: str) -> None:
    """Show the process as ``name`` alone, in ps, top and sigtui, best effort.

    A lesson's table should read ``ticker``, the name its steps use, rather
    than ``python3 -m sigtui.lessons.programs.ticker --name ticker ...``. The
    command line is rewritten first, then the kernel's name (``comm``): a
    scanner that caches command lines until ``comm`` changes then never keeps
    the old one.

    Args:
        name: The name; the kernel's name keeps 15 bytes of it, spaces as dashes.
    """
    with contextlib.suppress(OSError, ValueError, IndexError):
        _set_command_line(name.encode())
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_NAME, name.replace(" ", "-").encode()[:15], 0, 0, 0)


def _set_command_line(title: bytes) -> None:
    """Overwrite this process's argument strings in place, as setproctitle does.

    The kernel shows ``/proc/self/cmdline`` as the bytes between the addresses
    ``arg_start`` and ``arg_end`` (fields 48 and 49 of ``/proc/self/stat``);
    when the last of them is not NUL, as the string that starts there, up to
    its first NUL. Python has copied its arguments at startup, so ``sys.argv``
    keeps them.
    """
    with open("/proc/self/stat", "rb") as stat:
        data = stat.read()
    fields = data[data.rindex(b")") + 2 :].split()  # from field 3, the state
    start, end = int(fields[48 - 3]), int(fields[49 - 3])
    size = end - start
    if start == 0 or size < len(title) + 2:
        return
    ctypes.memmove(start, title + b"\0" * (size - len(title) - 1) + b" ", size)


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
