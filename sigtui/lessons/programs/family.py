"""A parent and its children, for lessons 7 (graceful) and 8 (sigchld).

Run as ``python -m sigtui.lessons.programs.family --lesson graceful --role
parent ...``; the parent starts its children as the same module with ``--role
child`` (they stay in its process group and share its report pipe and
lifeline).

graceful
    The child makes a temporary file and reports it. On SIGTERM the parent
    reports it and sends SIGTERM to the child; the child's handler removes the
    file, reports it and exits with status 0; the parent reaps the child with
    ``waitpid``, reports the status and exits with status 0.
sigchld
    The parent blocks SIGCHLD, then starts five children. On SIGUSR1 it
    closes a pipe the five are all waiting on, so they exit at once (child
    ``n`` with status ``n``), waits (pidfds, bounded) until all five have
    ended, and reports them as zombies with what ``/proc`` says is pending. On
    SIGUSR2 it takes the pending SIGCHLDs with ``sigtimedwait`` and counts
    them, then reaps with ``waitpid(-1, WNOHANG)`` in a loop, reporting each
    child and the totals.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from types import FrameType

from sigtui.lessons.programs import base

MODULE = "sigtui.lessons.programs.family"
"""This module, as ``python -m`` runs it."""

CHILDREN = 5
"""How many children the sigchld parent starts."""

ZOMBIE_TIMEOUT = 5.0
"""Seconds the sigchld parent waits for its children to end."""


class Flags:
    """Counts of signals caught by the handlers, read by the main loop."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}

    def catch(self, *signals: int) -> None:
        """Count these signals with a handler.

        Args:
            *signals: Their numbers.
        """
        for signo in signals:
            self.counts[signo] = 0
            signal.signal(signo, self._handler)

    def _handler(self, signo: int, frame: FrameType | None) -> None:
        self.counts[signo] += 1


def describe(status: int) -> tuple[str, int]:
    """Say how a reaped child ended.

    Args:
        status: The status from ``waitpid``.

    Returns:
        ``("exited", code)`` or ``("killed", signal number)``.
    """
    if os.WIFSIGNALED(status):
        return "killed", os.WTERMSIG(status)
    return "exited", os.waitstatus_to_exitcode(status)


def start_child(
    args: list[str], report_fd: int, lifeline_fd: int, *extra: int
) -> subprocess.Popen[bytes]:
    """Start one child: this module with ``--role child``, in this group.

    Args:
        args: Its own options.
        report_fd: The shared report pipe.
        lifeline_fd: The shared lifeline.
        *extra: More fds it keeps.

    Returns:
        The child (never waited for through Popen: the parent reaps it).
    """
    argv = [sys.executable, "-m", MODULE]
    argv += [*args, "--report-fd", str(report_fd), "--lifeline-fd", str(lifeline_fd)]
    return subprocess.Popen(
        argv,
        pass_fds=(report_fd, lifeline_fd, *extra),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def graceful_parent(program: base.Program) -> None:
    """Lesson 7's parent: forward SIGTERM, reap, exit.

    Args:
        program: Its link to the run.
    """
    flags = Flags()
    flags.catch(signal.SIGTERM, signal.SIGCHLD)
    child = start_child(
        ["--name", "child", "--lesson", "graceful", "--role", "child"],
        program.report_fd,
        program.lifeline_fd,
    )
    program.report("ready", about=f"started child {child.pid}", child=child.pid)
    forwarded = False
    while True:
        if flags.counts[signal.SIGTERM] and not forwarded:
            forwarded = True
            program.report("forwarded", child=child.pid, signal="SIGTERM")
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGTERM)
        pid, status = os.waitpid(child.pid, os.WNOHANG)
        if pid:
            how, value = describe(status)
            child.returncode = os.waitstatus_to_exitcode(status)
            program.report("reaped", child=pid, how=how, status=value)
            program.exit(0)
        program.wait(None)


def graceful_child(program: base.Program) -> None:
    """Lesson 7's child: a temporary file, removed on SIGTERM.

    Args:
        program: Its link to the run.
    """
    flags = Flags()
    flags.catch(signal.SIGTERM)
    handle, path = tempfile.mkstemp(prefix="sigtui-lesson-7-", suffix=".tmp")
    os.close(handle)
    try:
        program.report("ready", about=f"made the temporary file {path}", file=path)
        while not flags.counts[signal.SIGTERM]:
            program.wait(None)
        os.unlink(path)
        program.report("cleaned", file=path, signal="SIGTERM")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def wait_ended(pids: list[int], timeout: float) -> bool:
    """Wait until these children have all ended (they are not reaped).

    Args:
        pids: Children of this process, not yet reaped.
        timeout: Seconds at most.

    Returns:
        Whether all ended in time.
    """
    fds = [os.pidfd_open(pid) for pid in pids]
    try:
        deadline = time.monotonic() + timeout
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN)
        left = len(fds)
        while left and (remaining := deadline - time.monotonic()) > 0:
            for fd, _ in poller.poll(remaining * 1000):
                poller.unregister(fd)
                left -= 1
        return left == 0
    finally:
        for fd in fds:
            os.close(fd)


def pending_signals() -> list[str]:
    """What /proc says is pending for this process.

    Returns:
        Signal names.
    """
    mask = 0
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("SigPnd", "ShdPnd"):
                mask |= int(value.strip(), 16)
    names = []
    for bit in range(64):
        if mask >> bit & 1:
            try:
                names.append(signal.Signals(bit + 1).name)
            except ValueError:
                names.append(str(bit + 1))
    return names


def sigchld_parent(program: base.Program) -> None:
    """Lesson 8's parent: five children end at once; count SIGCHLDs; reap.

    Args:
        program: Its link to the run.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    flags = Flags()
    flags.catch(signal.SIGUSR1, signal.SIGUSR2)
    go_r, go_w = os.pipe()
    children = [
        start_child(
            [
                *("--name", f"child {n}", "--lesson", "sigchld", "--role", "child"),
                *("--number", str(n), "--go-fd", str(go_r)),
            ],
            program.report_fd,
            program.lifeline_fd,
            go_r,
        )
        for n in range(1, CHILDREN + 1)
    ]
    os.close(go_r)
    pids = [child.pid for child in children]
    program.report(
        "ready",
        about=f"started {CHILDREN} children; SIGCHLD is blocked",
        children=pids,
    )
    told = reaped_rounds = 0
    while True:
        if flags.counts[signal.SIGUSR1] > told:
            told = flags.counts[signal.SIGUSR1]
            if go_w >= 0:
                program.report("go", children=pids)
                os.close(go_w)
                go_w = -1
                ended = wait_ended(pids, ZOMBIE_TIMEOUT)
                program.report(
                    "zombies", children=pids, all=ended, pending=pending_signals()
                )
        if flags.counts[signal.SIGUSR2] > reaped_rounds:
            reaped_rounds = flags.counts[signal.SIGUSR2]
            sigchlds = 0
            while signal.sigtimedwait({signal.SIGCHLD}, 0) is not None:
                sigchlds += 1
            reaped = 0
            while True:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if not pid:
                    break
                reaped += 1
                how, value = describe(status)
                program.report("reaped", child=pid, how=how, status=value)
            program.report("summary", children=reaped, sigchld=sigchlds)
        program.wait(None)


def sigchld_child(program: base.Program, number: int, go_fd: int) -> None:
    """Lesson 8's child: exit with status ``number`` when ``go_fd`` ends.

    Args:
        program: Its link to the run.
        number: Which child it is (1 to 5), its exit status.
        go_fd: The pipe whose end of file means "exit now".
    """
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    program.report("ready", about=f"exits with status {number} when told")
    readable, _, _ = select.select([go_fd, program.lifeline_fd], [], [])
    program.exit(number if go_fd in readable else 0)


def main(argv: list[str] | None = None) -> None:
    """Run the parent or a child of lesson 7 or 8.

    Args:
        argv: The options (default: the command line).
    """
    options = base.parser("A parent and its children, for sigtui's lessons.")
    options.add_argument("--lesson", choices=("graceful", "sigchld"), required=True)
    options.add_argument("--role", choices=("parent", "child"), required=True)
    options.add_argument("--number", type=int, default=0)
    options.add_argument("--go-fd", type=int, default=-1)
    args = options.parse_args(argv)
    program = base.Program(args.name, args.report_fd, args.lifeline_fd)
    if args.lesson == "graceful":
        if args.role == "parent":
            graceful_parent(program)
        else:
            graceful_child(program)
    elif args.role == "parent":
        sigchld_parent(program)
    else:
        sigchld_child(program, args.number, args.go_fd)


if __name__ == "__main__":
    main()
