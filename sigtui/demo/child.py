"""The instrumented demo child: every signal it receives, logged exactly once.

Run as ``python -m sigtui.demo.child``. Standard library only (plus
:mod:`sigtui.demo.protocol`), so it starts fast and never loads psutil,
Textual or Rich. Linux only: it needs ``signal.sigtimedwait``.

Options::

    --report-fd N     write protocol JSON lines to fd N (default: stdout)
    --control-fd N    read control JSON lines (set a disposition, quit) from fd N
    --lifeline-fd N   exit when fd N reaches end of file (the parent died or
                      closed it)
    --members K       fork K member processes into the child's process group
                      (default 2)
    --tick S          heartbeat period in seconds (default 1.0)
    --human           no JSON: readable lines on stdout, for ``sigtui demo``
                      (cannot be combined with the fd options)

How it works (research/signals.md 3.2):

- Before anything else (and it never starts a thread) it blocks every
  catchable signal, ``valid_signals()`` minus SIGKILL and SIGSTOP, and sets
  every disposition to SIG_DFL, so ``/proc/PID/status`` shows a full SigBlk
  and empty SigIgn/SigCgt. It dequeues them with ``signal.sigtimedwait``:
  each delivery once, with the kernel's siginfo (sender pid and uid,
  ``si_code``), reported as one ``signal`` message. Standard signals sent
  while one is pending merge in the kernel; realtime signals queue.
- The main loop sleeps in ``select`` on a signalfd for the caught signals,
  the control pipe and the lifeline, with the next heartbeat as its timeout;
  it then dequeues with ``sigtimedwait(caught, 0)``. It does not sleep *in*
  ``sigtimedwait``: while a thread waits there, the kernel unblocks the
  waited-for signals in its mask, and ``/proc/PID/status`` would show
  SigBlk without them (see :class:`SignalWaiter`). Without signalfd it polls
  every :data:`POLL_SECONDS`.
- Dispositions, per signal, through the control pipe: ``catch`` (blocked and
  dequeued, the default), ``hold`` (blocked and left pending: /proc shows it in
  ShdPnd; switching back to ``catch`` dequeues what is pending, reported as
  ``drained``), ``ignore`` (real SIG_IGN and unblocked: the kernel discards
  it) and ``default`` (real SIG_DFL and unblocked: the default action really
  happens, so ``default`` for SIGTERM and a SIGTERM end the child). Each
  change is acknowledged with a ``disposition`` message; a line it cannot use
  gets an ``error`` message and nothing else happens. A control pipe that
  reaches end of file is simply no longer read: the lifeline decides when to
  go.
- Members are forked children in the child's process group (it is started in
  its own session, so the group is its own), so a group send reaches several
  receivers. They have default dispositions and an empty mask, like a
  ``sleep`` started by a shell script, and wait for end of file on a pipe
  whose only write end the child holds (and on the lifeline), so they die
  with the child even when it is killed. The child reaps them and reports
  each with a ``member`` message. A member that sees the lifeline end while
  the child is stopped sends it SIGCONT first, so that a stopped child still
  notices that its parent is gone (unless the whole group was stopped).
- It exits with status 0 on a ``quit`` command, on the lifeline's end of file
  or when the report pipe's reader is gone (EPIPE); it kills and reaps its
  members first.

It names itself ``demo`` (command line and ``comm``) and its members ``demo
member 1``, ``demo member 2``... (see :mod:`sigtui.demo.naming`).

``--human`` prints a header naming its pid, its process group and how to
signal it (``kill -USR1 <pid>``) and its group (a group SIGWINCH leaves the
members running, a group SIGUSR1 ends them: they take the default actions),
then one line per signal (sequence number, name, number, sender pid and
command, uid, ``si_code`` name) and ``Tick N`` lines. In this mode SIGINT is
*not* blocked and logged: Ctrl-C ends the child (it kills its members, prints
a goodbye line and exits with status 0). Every other catchable signal, Ctrl-Z's
SIGTSTP and Ctrl-backslash's SIGQUIT included, is logged. There is no control
pipe and no lifeline in this mode; if the terminal goes away, the next write
fails and the child exits.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sigtui.demo import protocol
from sigtui.demo.members import (
    catchable_signals,
    close_quietly,
    fork_member,
    member_message,
)
from sigtui.demo.naming import CHILD_NAME, set_name
from sigtui.demo.options import Options, parse_options
from sigtui.demo.output import HumanReport, JsonReport, ReaderGoneError
from sigtui.demo.waiter import SignalWaiter
from sigtui.procfs import sender_command, signal_name

POLL_SECONDS = 0.02
"""Without signalfd, how often the main loop looks for pending signals."""

DRAIN_BATCH = 256
"""At most this many signals are dequeued before the fds get a look."""

MAX_CONTROL_LINE = 64 * 1024
"""A control line longer than this is dropped (commands are a few dozen bytes)."""


@dataclass
class DemoChild:
    """The running demo child: its members, dispositions and counters.

    Attributes:
        options: The command line.
        report: Where messages go.
        members: Member pids not reaped yet.
        dispositions: Every catchable signal's disposition.
        seq: The last ``signal`` message's sequence number.
        ticks: The last ``tick`` message's number.
    """

    options: Options
    report: JsonReport | HumanReport
    members: list[int] = field(default_factory=list)
    dispositions: dict[int, str] = field(default_factory=dict)
    seq: int = 0
    ticks: int = 0
    _member_pipe: int | None = None
    _control_buffer: bytes = b""
    waiter: SignalWaiter = field(default_factory=SignalWaiter)
    _control_open: bool = False
    _control_skipping: bool = False
    _caught: frozenset[int] | None = None

    def start_members(self) -> None:
        """Fork the member processes into the child's process group.

        Returns once every member has its own signal handling in place (each
        closes its copy of a pipe; the end of file says all have), so that
        /proc agrees with what they do as soon as ``ready`` is sent.
        """
        if self.options.members <= 0:
            return
        wait_r, wait_w = os.pipe()
        ready_r, ready_w = os.pipe()
        close = [wait_w, ready_r, self.options.report_fd]
        if self.options.control_fd is not None:
            close.append(self.options.control_fd)
        close = [fd for fd in close if fd > 2]
        lifeline = self.options.lifeline_fd
        for number in range(1, self.options.members + 1):
            member = fork_member(number, wait_r, lifeline, ready_w, close)
            self.members.append(member)
        os.close(wait_r)
        os.close(ready_w)
        self._member_pipe = wait_w
        while os.read(ready_r, 64):
            pass
        os.close(ready_r)

    def ready(self) -> None:
        """Report that the child is ready to receive signals."""
        self.report.send(
            {
                "type": "ready",
                "pid": os.getpid(),
                "pgid": os.getpgrp(),
                "members": list(self.members),
            }
        )

    def caught(self) -> frozenset[int]:
        """The signals ``sigtimedwait`` dequeues now: those set to ``catch``.

        Returns:
            Their numbers.
        """
        if self._caught is None:
            chosen = self.dispositions.items()
            self._caught = frozenset(s for s, d in chosen if d == "catch")
            self.waiter.watch(self._caught)
        return self._caught

    def report_signal(self, info: Any, disposition: str) -> None:
        """Report one dequeued signal.

        Args:
            info: The ``struct_siginfo`` from ``sigtimedwait``.
            disposition: ``catch``, or ``drained`` for a held one let through.
        """
        now = time.monotonic_ns()
        self.seq += 1
        self.report.send(
            {
                "type": "signal",
                "seq": self.seq,
                "signo": info.si_signo,
                "name": signal_name(info.si_signo),
                "si_pid": info.si_pid,
                "si_uid": info.si_uid,
                "si_code": info.si_code,
                "code": protocol.code_name(info.si_code, info.si_signo),
                "t_mono_ns": now,
                "disposition": disposition,
                "sender": sender_command(info.si_pid),
            }
        )

    def reap_members(self) -> None:
        """Reap members that ended and report each one."""
        for pid in list(self.members):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # reaped by the kernel: SIGCHLD ignored
                done, status = pid, None
            if done:
                self.members.remove(pid)
                self.report.send(member_message(pid, status))

    def kill_members(self) -> list[dict[str, Any]]:
        """SIGKILL the members still there and reap them.

        SIGCHLD is set to SIG_DFL first, so the kernel cannot reap a member
        behind the child's back and free its pid for reuse before the kill.

        Returns:
            A ``member`` message for each one.
        """
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        messages = []
        for pid in self.members:
            status: int | None
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
                if not done:
                    os.kill(pid, signal.SIGKILL)
                    _, status = os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                status = None
            messages.append(member_message(pid, status))
        self.members.clear()
        if self._member_pipe is not None:
            close_quietly(self._member_pipe)
            self._member_pipe = None
        return messages

    def set_disposition(self, signo: int, disposition: str) -> None:
        """Change what the child does with a signal, for real, and say so.

        The order of the system calls leaves no window in which a signal
        could take an action nobody asked for: blocking comes before SIG_DFL,
        SIG_IGN before unblocking. The acknowledgement goes out once the change
        is complete, so /proc agrees with it when it arrives. One exception:
        ``default`` for a signal that is pending (held) is acknowledged
        *before* the unblock that lets it through, because its default action
        may end the child on the spot.

        Switching to ``catch`` dequeues what is pending of that signal (held
        before) and reports it as ``drained``, after the acknowledgement; a
        signal that arrives after the switch is an ordinary ``catch``.

        Args:
            signo: A catchable signal.
            disposition: One of :data:`protocol.DISPOSITIONS`.
        """
        ack = {
            "type": "disposition",
            "signo": signo,
            "name": signal_name(signo),
            "disposition": disposition,
        }
        if disposition in ("catch", "hold"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signo})
            signal.signal(signo, signal.SIG_DFL)
            drained = []
            if disposition == "catch":
                while (info := signal.sigtimedwait({signo}, 0)) is not None:
                    drained.append(info)
            self.dispositions[signo] = disposition
            self._caught = None
            self.caught()
            self.report.send(ack)
            for info in drained:
                self.report_signal(info, "drained")
            return
        handler = signal.SIG_IGN if disposition == "ignore" else signal.SIG_DFL
        signal.signal(signo, handler)
        self.dispositions[signo] = disposition
        self._caught = None
        self.caught()
        if disposition == "default" and signo in signal.sigpending():
            self.report.send(ack)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signo})
            return
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signo})
        self.report.send(ack)

    def error(self, message: str, signo: int | None = None) -> None:
        """Report a control line the child could not use.

        Args:
            message: What was wrong.
            signo: The signal the line named, if any.
        """
        self.report.send({"type": "error", "message": message, "signo": signo})

    def control_line(self, line: bytes) -> bool:
        """Obey one control line.

        Args:
            line: The line, without its newline.

        Returns:
            True if the line asks the child to quit.
        """
        shown = line[:80].decode(errors="replace")
        try:
            command = json.loads(line)
        except (ValueError, UnicodeDecodeError, RecursionError):
            self.error(f"not JSON: {shown!r}")
            return False
        if not isinstance(command, dict):
            self.error(f"not a JSON object: {shown!r}")
            return False
        if command.get("v") != protocol.VERSION:
            self.error(f"unsupported protocol version in {shown!r}")
            return False
        cmd = command.get("cmd")
        if cmd == "quit":
            return True
        if cmd != "set":
            self.error(f"unknown command in {shown!r}")
            return False
        signo, disposition = command.get("signo"), command.get("disposition")
        if isinstance(signo, bool) or not isinstance(signo, int):
            self.error(f"signo must be a signal number in {shown!r}")
            return False
        if signo in (signal.SIGKILL, signal.SIGSTOP):
            name = signal_name(signo)
            self.error(f"{name} cannot be caught, blocked or ignored", signo)
            return False
        if signo not in self.dispositions:
            self.error(f"no catchable signal {signo} here", signo)
            return False
        if disposition not in protocol.DISPOSITIONS:
            choices = ", ".join(protocol.DISPOSITIONS)
            self.error(f"disposition must be one of {choices} in {shown!r}", signo)
            return False
        self.set_disposition(signo, disposition)
        return False

    def read_control(self, fd: int) -> bool:
        """Read what the control pipe has and obey every complete line.

        Args:
            fd: The control fd, readable now.

        Returns:
            True if a line asked the child to quit.
        """
        data = os.read(fd, 65536)
        if not data:
            self._control_open = False
            if self._control_buffer.strip():
                self.error("control pipe closed in the middle of a line")
            self._control_buffer = b""
            return False
        *lines, self._control_buffer = (self._control_buffer + data).split(b"\n")
        if lines and self._control_skipping:  # the tail of a dropped line
            self._control_skipping = False
            lines.pop(0)
        for line in lines:
            if line.strip() and self.control_line(line):
                return True
        if len(self._control_buffer) > MAX_CONTROL_LINE:
            self._control_buffer = b""
            if not self._control_skipping:
                self._control_skipping = True
                limit = MAX_CONTROL_LINE
                self.error(f"control line longer than {limit} bytes: dropped")
        return False

    def watched_fds(self) -> list[int]:
        """The fds the main loop looks at: the open control pipe and the lifeline.

        Returns:
            The fds.
        """
        fds = []
        if self.options.control_fd is not None and self._control_open:
            fds.append(self.options.control_fd)
        if self.options.lifeline_fd is not None:
            fds.append(self.options.lifeline_fd)
        return fds

    def run(self) -> str:
        """The main loop: signals, control lines, the lifeline, the heartbeat.

        Returns:
            Why it ended: ``quit`` or ``lifeline``.
        """
        self._control_open = self.options.control_fd is not None
        period_ns = round(self.options.tick * 1e9)
        next_tick = time.monotonic_ns() + period_ns
        while True:
            caught = self.caught()
            for _ in range(DRAIN_BATCH):
                info = signal.sigtimedwait(caught, 0)
                if info is None:
                    break
                self.report_signal(info, "catch")
            if self.members:
                self.reap_members()
            watched = self.watched_fds()
            wait = max(0, next_tick - time.monotonic_ns()) / 1e9
            if self.waiter.fd is None:
                wait = min(wait, POLL_SECONDS)
            else:
                watched.append(self.waiter.fd)
            if info is not None:
                wait = 0  # more signals are waiting: only look at the fds
            readable, _, _ = select.select(watched, [], [], wait)
            for fd in readable:
                if fd == self.options.lifeline_fd:
                    if not os.read(fd, 512):
                        return "lifeline"
                elif fd == self.options.control_fd and self.read_control(fd):
                    return "quit"
            now = time.monotonic_ns()
            if now >= next_tick:
                self.ticks += 1
                self.report.send({"type": "tick", "n": self.ticks, "t_mono_ns": now})
                next_tick += period_ns
                if next_tick <= now:  # after a stop: no burst of late ticks
                    next_tick = now + period_ns


def _finish(child: DemoChild, reason: str | None) -> None:
    """Kill and reap the members, then say goodbye if the reader is there."""
    messages = child.kill_members()
    if reason is None:
        return
    try:
        for message in messages:
            child.report.send(message)
        child.report.send({"type": "bye", "reason": reason})
    except ReaderGoneError:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo child.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0, or 2 for a bad command line.
    """
    catchable = catchable_signals()
    # First of all, before any thread could exist: block everything catchable.
    signal.pthread_sigmask(signal.SIG_BLOCK, catchable)
    options = parse_options(sys.argv[1:] if argv is None else argv)
    set_name(CHILD_NAME)  # its row and its log lines read "demo"
    for signo in catchable:
        signal.signal(signo, signal.SIG_DFL)
    report: JsonReport | HumanReport
    report = HumanReport() if options.human else JsonReport(options.report_fd)
    # A full pipe must make the child wait, not fail with EAGAIN.
    os.set_blocking(report.fd, True)
    child = DemoChild(options, report)
    child.dispositions = dict.fromkeys(catchable, "catch")
    if options.human:
        # Ctrl-C ends the human demo: SIGINT raises KeyboardInterrupt.
        del child.dispositions[signal.SIGINT]
        signal.signal(signal.SIGINT, signal.default_int_handler)
    reason: str | None = None
    try:
        child.start_members()
        if options.human:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        child.ready()
        reason = child.run()
    except KeyboardInterrupt:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        reason = "interrupted"
    except ReaderGoneError:
        reason = None
    finally:
        _finish(child, reason)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
