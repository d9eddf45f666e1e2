"""The supervisor: starts the demo child, reads its reports, watches its state.

The child cannot report what happens *to* it (stopped, continued, killed); a
thread here learns that from ``os.waitid``, which is also the one place the
child is reaped. Another thread reads the report pipe. Neither touches the UI:
both hand lists of plain dicts to a callback.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from sigtui.demo.protocol import LineReader, encode
from sigtui.procfs import sender_command

Events = Callable[[list[dict[str, Any]]], None]
"""Receives batches of messages (child reports and ``parent`` events)."""

READY_TIMEOUT = 10.0
"""Seconds the child may take to say it is ready."""

STOP_TIMEOUT = 3.0
"""Seconds the child may take to exit after being told to."""


class DemoError(RuntimeError):
    """The demo child could not be started."""


class DemoSupervisor:
    """Runs one demo child (and its members) for the app.

    Args:
        on_events: Called from the supervisor's threads with new messages.
        members: Member processes the child starts in its group.
        tick: Heartbeat period of the child, in seconds.
    """

    def __init__(
        self, on_events: Events, *, members: int = 2, tick: float = 1.0
    ) -> None:
        self._on_events = on_events
        self._members = members
        self._tick = tick
        self._proc: subprocess.Popen[bytes] | None = None
        self._control_w = -1
        self._lifeline_w = -1
        self._threads: list[threading.Thread] = []
        self._exited = threading.Event()
        # Guards the two write ends: the waitid thread closes them when the
        # child dies, stop() may do so from another thread, and a write must
        # never go to a number closed (and perhaps reused) meanwhile.
        self._pipes_lock = threading.Lock()
        self.pid = 0
        self.pgid = 0
        self.members: tuple[int, ...] = ()
        self.bad_lines = 0

    @property
    def running(self) -> bool:
        """Whether the child is alive (it may be stopped)."""
        return self._proc is not None and not self._exited.is_set()

    @property
    def pids(self) -> frozenset[int]:
        """The child and its members."""
        return frozenset((self.pid, *self.members)) if self.pid else frozenset()

    def start(self, timeout: float = READY_TIMEOUT) -> dict[str, Any]:
        """Start the child in its own session and wait for it to be ready.

        Args:
            timeout: Seconds to wait for the readiness message.

        Returns:
            The child's ``ready`` message.

        Raises:
            DemoError: If it does not start or does not get ready in time.
        """
        report_r, report_w = os.pipe()
        control_r, control_w = os.pipe()
        lifeline_r, lifeline_w = os.pipe()
        argv = [
            sys.executable,
            "-m",
            "sigtui.demo.child",
            "--report-fd",
            str(report_w),
            "--control-fd",
            str(control_r),
            "--lifeline-fd",
            str(lifeline_r),
            "--members",
            str(self._members),
            "--tick",
            str(self._tick),
        ]
        try:
            self._proc = subprocess.Popen(
                argv,
                pass_fds=(report_w, control_r, lifeline_r),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as err:
            for fd in (
                report_r,
                report_w,
                control_r,
                control_w,
                lifeline_r,
                lifeline_w,
            ):
                os.close(fd)
            raise DemoError(f"could not start the demo child: {err}") from err
        for fd in (report_w, control_r, lifeline_r):
            os.close(fd)
        self._control_w, self._lifeline_w = control_w, lifeline_w
        os.set_blocking(report_r, False)
        self.pid = self._proc.pid
        reader = LineReader()
        ready = self._wait_ready(report_r, reader, timeout)
        if ready is None:
            os.close(report_r)
            self.stop()
            raise DemoError("the demo child did not get ready in time")
        self.pgid = int(ready.get("pgid", self.pid))
        self.members = tuple(int(m) for m in ready.get("members", ()))
        for target in (lambda: self._read(report_r, reader), self._wait):
            thread = threading.Thread(target=target, daemon=True, name="sigtui-demo")
            thread.start()
            self._threads.append(thread)
        return ready

    def _wait_ready(
        self, fd: int, reader: LineReader, timeout: float
    ) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        early: list[dict[str, Any]] = []
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([fd], [], [], left)
            if not readable:
                break
            data = os.read(fd, 65536)
            if not data:
                break
            for message in reader.feed(data):
                if message.get("type") == "ready":
                    if early:
                        self._on_events(early)
                    return message
                early.append(message)
        return None

    def _read(self, fd: int, reader: LineReader) -> None:
        """Report-pipe thread: batches of messages to the callback until EOF."""
        try:
            while True:
                select.select([fd], [], [])
                try:
                    data = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not data:
                    break
                messages = reader.feed(data)
                for message in messages:
                    si_pid = message.get("si_pid")
                    # A malformed si_pid must not end this thread: the report
                    # is still shown, only without the sender's command.
                    if (
                        message.get("type") == "signal"
                        and not message.get("sender")
                        and type(si_pid) is int
                    ):
                        message["sender_cmd"] = sender_command(si_pid) or ""
                self.bad_lines = reader.bad_lines
                if messages:
                    self._on_events(messages)
        except OSError:
            pass
        finally:
            os.close(fd)

    def _wait(self) -> None:
        """Wait on the child (the only reaper): stopped, continued, exited."""
        assert self._proc is not None
        pid = self._proc.pid
        flags = os.WEXITED | os.WSTOPPED | os.WCONTINUED
        while True:
            try:
                info = os.waitid(os.P_PID, pid, flags)
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            if info is None:
                continue
            event = self._parent_event(info.si_code, info.si_status)
            if event["event"] in ("exited", "killed", "dumped"):
                # Reaped here; tell Popen so it never waits for it again.
                self._proc.returncode = (
                    info.si_status if event["event"] == "exited" else -info.si_status
                )
                self._exited.set()
                # Killed from outside, it never gets stop(): close its pipes
                # here, or every such death leaks two descriptors.
                self._close_pipes()
                self._on_events([event])
                break
            self._on_events([event])

    @staticmethod
    def _parent_event(code: int, status: int) -> dict[str, Any]:
        kinds = {
            os.CLD_EXITED: "exited",
            os.CLD_KILLED: "killed",
            os.CLD_DUMPED: "dumped",
            os.CLD_STOPPED: "stopped",
            os.CLD_CONTINUED: "continued",
        }
        kind = kinds.get(code, "changed")
        event: dict[str, Any] = {"type": "parent", "event": kind, "status": status}
        if kind != "exited":
            try:
                event["signal"] = signal.Signals(status).name
            except ValueError:
                event["signal"] = str(status)
        return event

    def set_disposition(self, signo: int, disposition: str) -> None:
        """Tell the child what to do with a signal from now on.

        Args:
            signo: The signal number.
            disposition: ``catch``, ``ignore``, ``default`` or ``hold``.
        """
        self._control({"cmd": "set", "signo": signo, "disposition": disposition})

    def _control(self, message: dict[str, Any]) -> None:
        with self._pipes_lock:
            if self._control_w < 0 or not self.running:
                return
            with contextlib.suppress(OSError):
                os.write(self._control_w, encode(message))

    def _close_pipes(self) -> None:
        """Close the control pipe and the lifeline (once, whoever comes first)."""
        with self._pipes_lock:
            for fd in (self._control_w, self._lifeline_w):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._control_w = self._lifeline_w = -1

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """End the child and its members, and wait until it has been reaped.

        Args:
            timeout: Seconds to wait for an orderly exit before SIGKILL.
        """
        if self._proc is None:
            return
        self._control({"cmd": "quit"})
        self._close_pipes()
        if not self._threads:
            # Never got ready: no waitid thread, so reap here.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout)
            if self._proc.returncode is None:
                self._kill()
                self._proc.wait()
            self._exited.set()
            return
        if not self._exited.wait(timeout):
            self._kill()
            self._exited.wait(timeout)
        for thread in self._threads:
            thread.join(timeout)

    def _kill(self) -> None:
        """SIGKILL the child through a pidfd (it is our child: not yet reaped)."""
        assert self._proc is not None
        if self._exited.is_set() or self._proc.pid <= 0:
            return
        try:
            fd = os.pidfd_open(self._proc.pid)
        except OSError:
            return
        try:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        except OSError:
            pass
        finally:
            os.close(fd)
