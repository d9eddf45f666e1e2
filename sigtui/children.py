"""One supervisor for the programs sigtui starts to teach with: the demo, the lessons.

Standard library only. A :class:`Children` starts programs that share one
report pipe (JSON lines, written by the programs) and one lifeline pipe (whose
write end only sigtui holds: at its end of file the programs exit, so they
never outlive sigtui, even after a SIGKILL). It watches them:

- one ``waitid`` thread per program it started, the only place that program is
  reaped, learns when it stops, continues, exits or is killed;
- one reader thread reads the report pipe and polls a pidfd for each process
  it was asked to :meth:`~Children.watch` (processes the programs started
  themselves), so it learns when those end.

Neither thread knows what the reports mean: the bytes go to ``on_data`` and
what happened to a process goes to ``on_change`` as a :data:`Change`. Both
callbacks run one at a time, under :attr:`Children.lock`, which the owner uses
for its own state too; they must not block (hand over to the UI with a posted
message, never a call that waits for the UI thread).

:meth:`Children.stop` is the one stop sequence: close the control pipes and
the lifeline (the programs exit at its end of file), continue the groups that
have a stopped process (a stopped process cannot see an end of file), wait,
then SIGKILL the groups that still have a live member, and wait again.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sigtui.procfs import process_state

STOP_TIMEOUT = 3.0
"""Seconds the programs may take to exit after their lifeline ends."""

T = TypeVar("T")


@dataclass(frozen=True)
class Stopped:
    """A program was stopped (its state is T).

    Attributes:
        pid: The program.
        signo: The signal that stopped it.
    """

    pid: int
    signo: int


@dataclass(frozen=True)
class Continued:
    """A stopped program was continued (SIGCONT).

    Attributes:
        pid: The program.
    """

    pid: int


@dataclass(frozen=True)
class Exited:
    """A program exited by itself; it has been reaped.

    Attributes:
        pid: The program.
        status: Its exit status.
    """

    pid: int
    status: int


@dataclass(frozen=True)
class Killed:
    """A signal's default action ended a program; it has been reaped.

    Attributes:
        pid: The program.
        signo: The signal.
        core: Whether a core dump was written.
    """

    pid: int
    signo: int
    core: bool


@dataclass(frozen=True)
class Gone:
    """A watched process that sigtui did not start has ended (its pidfd said so).

    Attributes:
        pid: The process.
    """

    pid: int


Change = Stopped | Continued | Exited | Killed | Gone
"""What happened to a process: what the programs cannot report themselves."""


def program_env() -> dict[str, str]:
    """The environment for ``python -m sigtui...``: sigtui importable wherever it is.

    Returns:
        sigtui's environment with sigtui's directory first on ``PYTHONPATH``.
    """
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    paths = [root, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


class SpawnError(RuntimeError):
    """A program could not be started."""


@dataclass(eq=False)
class _Process:
    """A process being watched: started here (``popen``) or by a program."""

    pid: int
    pgid: int
    popen: subprocess.Popen[bytes] | None = None
    control: int = -1
    alive: bool = True


def _change(pid: int, code: int, status: int) -> Change | None:
    """Turn ``waitid``'s ``si_code`` and ``si_status`` into a change."""
    if code == os.CLD_EXITED:
        return Exited(pid, status)
    if code in (os.CLD_KILLED, os.CLD_DUMPED):
        return Killed(pid, status, code == os.CLD_DUMPED)
    if code == os.CLD_STOPPED:
        return Stopped(pid, status)
    if code == os.CLD_CONTINUED:
        return Continued(pid)
    return None


class Children:
    """Starts programs, reads their reports, watches what happens to them.

    Args:
        on_data: Receives the bytes read from the report pipe (any split).
        on_change: Receives what happened to a process.
    """

    def __init__(
        self, on_data: Callable[[bytes], None], on_change: Callable[[Change], None]
    ) -> None:
        self._on_data = on_data
        self._on_change = on_change
        self.lock = threading.RLock()
        """Held while a callback runs; the owner guards its own state with it."""
        self._changed = threading.Condition(self.lock)
        self._processes: dict[int, _Process] = {}
        self._pidfds: dict[int, _Process] = {}
        self._pgids: set[int] = set()
        self._threads: list[threading.Thread] = []
        self._report_r = self._report_w = -1
        self._lifeline_r = self._lifeline_w = -1
        self._wake_r = self._wake_w = -1
        self._state = "new"  # new, running, stopping, stopped
        self._closing = False  # tells the reader to end at its next wake-up

    # -- starting ---------------------------------------------------------------

    def _open(self) -> None:
        """Make the pipes and start the reader, before the first program."""
        if self._state != "new":
            return
        self._report_r, self._report_w = os.pipe()
        self._lifeline_r, self._lifeline_w = os.pipe()
        self._wake_r, self._wake_w = os.pipe()
        self._state = "running"
        self._thread(self._read, "sigtui-children-reader")

    def _thread(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, daemon=True, name=name)
        thread.start()
        self._threads.append(thread)

    def spawn(
        self,
        argv: Sequence[str],
        *,
        stdio: bool = False,
        control: bool = False,
        group: int | None = 0,
        env: Mapping[str, str] | None = None,
    ) -> int:
        """Start a program that reports on the shared pipe and holds the lifeline.

        Args:
            argv: The program and its own arguments. Unless ``stdio``,
                ``--report-fd N --lifeline-fd N`` (and ``--control-fd N``) are
                added at the end.
            stdio: Pass the lifeline as stdin and the report pipe as stdout
                instead (a shell script reads and prints).
            control: Give it a control pipe, written with :meth:`write`.
            group: The process group to join: 0 for a new group in sigtui's
                session, a pgid the supervisor created to join it, or None
                for a new session (whose group is its own).
            env: Its environment (default: sigtui's).

        Returns:
            Its pid.

        Raises:
            SpawnError: If it could not be started.
        """
        with self.lock:
            if self._state == "new":
                self._open()
            if self._state != "running":
                raise SpawnError("the supervisor has been stopped")
            if group is not None and group != 0 and group not in self._pgids:
                raise SpawnError(f"process group {group} was not created here")
            control_r = control_w = -1
            if control:
                control_r, control_w = os.pipe()
            args = list(argv)
            passed = [self._report_w, self._lifeline_r]
            if control:
                passed.append(control_r)
            if not stdio:
                args += ["--report-fd", str(self._report_w)]
                args += ["--lifeline-fd", str(self._lifeline_r)]
                if control:
                    args += ["--control-fd", str(control_r)]
            try:
                # The lock is held: the reader must know the process before
                # its first report arrives.
                popen = subprocess.Popen(
                    args,
                    pass_fds=() if stdio else tuple(passed),
                    stdin=self._lifeline_r if stdio else subprocess.DEVNULL,
                    stdout=self._report_w if stdio else subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=group is None,
                    process_group=group,
                    env=env,
                )
            except OSError as err:
                for fd in (control_r, control_w):
                    if fd >= 0:
                        os.close(fd)
                raise SpawnError(f"could not start {argv[0]}: {err}") from err
            if control_r >= 0:
                os.close(control_r)
            pgid = group or popen.pid
            process = _Process(popen.pid, pgid, popen, control_w)
            self._processes[popen.pid] = process
            self._pgids.add(pgid)
        self._thread(lambda: self._wait(process), "sigtui-children-wait")
        return popen.pid

    def watch(self, pid: int) -> None:
        """Watch a process a program started, to learn when it ends.

        Args:
            pid: The process (it must be in a group created here).
        """
        with self.lock:
            if pid in self._processes or self._state != "running":
                return
            try:
                fd = os.pidfd_open(pid)
                pgid = os.getpgid(pid)
            except OSError:
                # Already gone (and reaped by its parent).
                self._deliver(self._on_change, Gone(pid))
                return
            process = _Process(pid, pgid)
            self._processes[pid] = process
            self._pidfds[fd] = process
        # The reader polls a fixed set: wake it to add this pidfd.
        self._wake()

    # -- what the owner asks ----------------------------------------------------

    def alive(self, pid: int) -> bool:
        """Whether a process started or watched here has not ended yet.

        Args:
            pid: The process.

        Returns:
            True while it has not been seen to end.
        """
        with self.lock:
            process = self._processes.get(pid)
            return process is not None and process.alive

    @property
    def pgids(self) -> frozenset[int]:
        """The process groups created here."""
        with self.lock:
            return frozenset(self._pgids)

    def write(self, pid: int, data: bytes) -> bool:
        """Write to a program's control pipe.

        Args:
            pid: The program (started with ``control=True``).
            data: What to write.

        Returns:
            Whether it was written (False once the program has ended).
        """
        with self.lock:
            process = self._processes.get(pid)
            if process is None or process.control < 0 or not process.alive:
                return False
            try:
                os.write(process.control, data)
            except OSError:
                return False
            return True

    def wait_for(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``condition`` holds; it is checked after every callback.

        Args:
            condition: Checked under :attr:`lock`.
            timeout: Seconds at most.

        Returns:
            Whether it held in time.
        """
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    def any_started_alive(self) -> bool:
        """Whether a program started here is still alive.

        Returns:
            True if one is.
        """
        with self.lock:
            return any(p.alive for p in self._processes.values() if p.popen)

    # -- the threads ------------------------------------------------------------

    def _deliver(self, callback: Callable[[T], None], value: T) -> None:
        """Run a callback under the lock, then wake whoever waits for a change."""
        with self._changed:
            callback(value)
            self._changed.notify_all()

    def _ended(self, process: _Process, change: Change) -> None:
        """A process has ended: forget its pipes, tell the owner."""
        with self.lock:
            process.alive = False
            if process.control >= 0:
                with contextlib.suppress(OSError):
                    os.close(process.control)
                process.control = -1
            self._deliver(self._on_change, change)

    def _wait(self, process: _Process) -> None:
        """Thread: ``waitid`` on one program started here (its one reaper)."""
        assert process.popen is not None
        flags = os.WEXITED | os.WSTOPPED | os.WCONTINUED
        while True:
            try:
                info = os.waitid(os.P_PID, process.pid, flags)
            except ChildProcessError:
                with self.lock:
                    process.alive = False
                return
            except InterruptedError:
                continue
            if info is None:
                continue
            change = _change(process.pid, info.si_code, info.si_status)
            if isinstance(change, Exited | Killed):
                # Reaped here: Popen must never wait for it (or warn) again.
                status = change.status if isinstance(change, Exited) else -change.signo
                process.popen.returncode = status
                self._ended(process, change)
                return
            if change is not None:
                self._deliver(self._on_change, change)

    def _read(self) -> None:
        """Thread: the report pipe and the watched pidfds, until :meth:`stop`."""
        poller = select.poll()
        poller.register(self._wake_r, select.POLLIN)
        poller.register(self._report_r, select.POLLIN)
        registered: set[int] = set()
        try:
            while True:
                with self.lock:
                    for fd in self._pidfds.keys() - registered:
                        poller.register(fd, select.POLLIN)
                        registered.add(fd)
                ready = dict(poller.poll())
                if self._wake_r in ready:
                    os.read(self._wake_r, 64)
                    if self._closing:
                        break
                # Ends first: a report about an ended process (reaped by its
                # parent) is written after it ended, so its pidfd is ready too.
                for fd in registered & ready.keys():
                    poller.unregister(fd)
                    registered.discard(fd)
                    with self.lock:
                        process = self._pidfds.pop(fd)
                    os.close(fd)
                    self._ended(process, Gone(process.pid))
                if self._report_r in ready:
                    data = os.read(self._report_r, 1 << 16)
                    if not data:
                        poller.unregister(self._report_r)
                    else:
                        self._deliver(self._on_data, data)
        finally:
            with self.lock:
                fds = list(self._pidfds)
                self._pidfds.clear()
            for fd in fds:
                os.close(fd)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            if self._wake_w >= 0:
                os.write(self._wake_w, b"x")

    # -- stopping ---------------------------------------------------------------

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """End every process, reap the programs, release everything. Idempotent.

        Args:
            timeout: Seconds for an orderly exit before SIGKILL.
        """
        with self.lock:
            if self._state in ("stopping", "stopped"):
                return
            if self._state == "new":
                self._state = "stopped"
                return
            self._state = "stopping"
            for process in self._processes.values():
                if process.control >= 0:
                    with contextlib.suppress(OSError):
                        os.close(process.control)
                    process.control = -1
        self.cut_lifeline()
        self._signal_groups(signal.SIGCONT, stopped_only=True)
        if not self.wait_for(self._all_gone, timeout):
            self._signal_groups(signal.SIGKILL)
            self.wait_for(self._all_gone, timeout)
        self._closing = True
        self._wake()
        for thread in self._threads:
            if thread is not threading.current_thread():  # stop() from a callback
                thread.join(timeout)
        with self.lock:
            for name in ("_report_r", "_report_w", "_lifeline_r", "_wake_r", "_wake_w"):
                fd = getattr(self, name)
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                    setattr(self, name, -1)
            self._state = "stopped"

    def cut_lifeline(self) -> None:
        """Close the lifeline's write end: every program exits at its end of file.

        :meth:`stop` does it; alone, it is what happens when sigtui is gone.
        """
        with self.lock:
            if self._lifeline_w >= 0:
                os.close(self._lifeline_w)
                self._lifeline_w = -1

    def _all_gone(self) -> bool:
        return not any(p.alive for p in self._processes.values())

    def _signal_groups(self, signo: int, *, stopped_only: bool = False) -> None:
        """Signal the groups created here that still have a live member.

        A group with a live member (unreaped, or watched by a pidfd not yet
        ready) keeps its number, so the signal cannot reach a new group that
        reused it.
        """
        with self.lock:
            groups = set()
            for process in self._processes.values():
                if not process.alive:
                    continue
                if stopped_only and process_state(process.pid) not in ("T", "t"):
                    continue
                with contextlib.suppress(OSError):
                    groups.add(os.getpgid(process.pid))
            groups &= self._pgids
        for pgid in groups:
            if pgid <= 1 or pgid == os.getpgrp():
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signo)
