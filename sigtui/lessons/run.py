"""Running a lesson: its processes, what happens to them, and its steps.

A :class:`LessonRun` starts the lesson's programs (:mod:`sigtui.lessons.programs`)
each in a new process group of sigtui's session, and watches them:

- a reader thread reads their reports (JSON lines on one shared pipe) and
  polls a pidfd for every process the run did not start itself (lesson 5's
  sleeps, lesson 7's and 8's children), so it learns when those end;
- a ``waitid`` thread per process it started (the one reaper of that process)
  learns when it stops, continues or ends, and by which signal.

Each observation becomes at most one :class:`LessonEvent` (one line for the
signal log); it may also complete the current step, which adds a ``step``
event (and a ``finished`` one after the last step). Steps complete in order:
an observation only counts for the step that is current when it arrives. The
checks rest on what really happened to the processes; :meth:`LessonRun.sent`
and :meth:`LessonRun.selected` are used only where nothing can be observed
(a blocked signal, the cursor).

Why a new group in sigtui's session (``process_group=0``), not a new session:
a process group whose members' parents are all outside its session is
*orphaned*, and the kernel discards SIGTSTP sent to an orphaned group (lesson
10 needs it to stop), and lesson 6's second player could not join the first
one's group from another session. A bonus: when sigtui dies, the group becomes
orphaned, and the kernel sends a stopped member SIGHUP and SIGCONT, so it wakes
and sees its lifeline end.

Every program holds the read end of a lifeline pipe whose write end only the
run has: at its end of file (the run stopped, or sigtui is gone) they exit.
Lesson 5's shell script reads its lifeline where it would ``wait``, then kills
its sleeps. :meth:`LessonRun.stop` closes the lifeline, sends SIGCONT to the
run's groups (a stopped process cannot see the end of file), waits, then sends
SIGKILL to the groups that still have members.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sigtui
from sigtui.demo.protocol import LineReader
from sigtui.lessons.catalog import Lesson, LessonError
from sigtui.procfs import signal_name

PROGRAMS = "sigtui.lessons.programs"
"""The package of the lesson programs."""

GROUPS_SCRIPT = Path(__file__).parent / "programs" / "groups.sh"
"""Lesson 5's shell script."""

START_TIMEOUT = 10.0
"""Seconds the programs may take to report ready."""

STOP_TIMEOUT = 3.0
"""Seconds the programs may take to exit after their lifeline ends."""


@dataclass(frozen=True)
class LessonEvent:
    """One thing that happened in a lesson: one line for the signal log.

    Attributes:
        kind: ``started``, ``tick``, ``said``, ``refused``, ``received``,
            ``hit``, ``over``, ``quit``, ``forwarded``, ``cleaned``, ``go``,
            ``zombies``, ``reaped``, ``summary``, ``pending``, ``counted``
            (program reports); ``stopped``, ``continued``, ``exited``,
            ``killed`` (what happened to a process); ``step``, ``finished``,
            ``hint``, ``error`` (about the lesson).
        text: The line, in plain words, with pids.
        pid: The process it is about (0 if none).
        signal: The signal's name, where one is involved.
        step: For ``step`` events, the index of the step just done.
    """

    kind: str
    text: str
    pid: int = 0
    signal: str | None = None
    step: int | None = None


OnEvents = Callable[[list[LessonEvent]], None]
"""Receives batches of events, from the run's threads."""


@dataclass(frozen=True)
class _Obs:
    """An observation, before it becomes a log line (and maybe a step).

    ``kind`` as in :class:`LessonEvent`, plus ``sent`` and ``selected`` (from
    the app; never logged). ``data`` is the report's or the observation's own
    fields.
    """

    kind: str
    pid: int
    name: str
    signal: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class _Process:
    """A process of the lesson, started by the run or seen in a report."""

    pid: int
    name: str
    popen: subprocess.Popen[bytes] | None = None
    alive: bool = True

    @property
    def label(self) -> str:
        return f"{self.name} ({self.pid})"


def _program_env() -> dict[str, str]:
    """The environment of the programs: sigtui importable wherever it is."""
    root = str(Path(sigtui.__file__).resolve().parent.parent)
    env = dict(os.environ)
    paths = [root, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


class _Script:
    """A lesson's processes and step checks; one subclass per lesson."""

    ready = 1
    """How many ``ready`` reports mean that everything is set up."""

    start_on: str | None = None
    """The process the table's cursor starts on, by name; None where finding
    the process is itself a step."""

    def __init__(self, run: LessonRun) -> None:
        self.run = run

    def spawn(self) -> None:
        """Start the lesson's processes (through ``self.run.spawn``)."""
        raise NotImplementedError

    def check(self, step: int, obs: _Obs) -> bool:
        """Whether this observation completes the current step.

        Args:
            step: The index of the current step.
            obs: What was observed.

        Returns:
            True if the step is now done.
        """
        raise NotImplementedError

    def hint(self, obs: _Obs) -> str | None:
        """A hint when the observation leaves the lesson stuck, else None.

        Args:
            obs: An observation that completed no step.

        Returns:
            The hint's text, or None.
        """
        if obs.kind == "killed" and obs.pid in self.run.started_pids:
            return (
                f"{obs.name} ({obs.pid}) has ended before the lesson was done, so "
                "the next steps cannot happen: leave the lesson and start it again."
            )
        return None

    def pid_of(self, name: str) -> int:
        """The pid of the first process of the lesson with this name (0 if none)."""
        return next(
            (p.pid for p in self.run.all_processes() if p.name == name),
            0,
        )

    @staticmethod
    def ends(obs: _Obs) -> bool:
        """Whether the observation says a process ended."""
        return obs.kind in ("exited", "killed")


class _FirstKill(_Script):
    def spawn(self) -> None:
        self.run.spawn_program("ticker", "ticker", "--tick", self.run.tick_arg)

    def check(self, step: int, obs: _Obs) -> bool:
        if step == 0:
            return obs.kind == "selected" and obs.name == "ticker"
        return obs.kind == "killed" and obs.signal == "SIGKILL"


class _Handler(_Script):
    start_on = "ticker"

    def spawn(self) -> None:
        self.run.spawn_program(
            "ticker", "ticker", "--tick", self.run.tick_arg, "--greet-usr1"
        )

    def check(self, step: int, obs: _Obs) -> bool:
        if step == 0:
            return obs.kind == "said" and obs.signal == "SIGUSR1"
        return obs.kind == "killed" and obs.signal == "SIGTERM"


class _Hangup(_Script):
    ready = 2
    start_on = "nohup-ticker"

    def __init__(self, run: LessonRun) -> None:
        super().__init__(run)
        self.hup_sent_ns = 0

    def spawn(self) -> None:
        self.run.spawn_program(
            "ticker", "nohup-ticker", "--tick", self.run.tick_arg, "--ignore-hup"
        )
        self.run.spawn_program("ticker", "ticker", "--tick", self.run.tick_arg)

    def check(self, step: int, obs: _Obs) -> bool:
        nohup = self.pid_of("nohup-ticker")
        if step == 0:
            # SIG_IGN: the program never sees the signal. It survived if it
            # ticks after the send (CLOCK_MONOTONIC is system-wide).
            if obs.kind == "sent" and obs.signal == "SIGHUP" and obs.pid == nohup:
                self.hup_sent_ns = int(obs.data["t_mono_ns"])
            return (
                obs.kind == "tick"
                and obs.pid == nohup
                and 0 < self.hup_sent_ns < int(obs.data.get("t_mono_ns", 0))
            )
        return obs.kind == "killed" and obs.signal == "SIGHUP" and obs.pid != nohup


class _Uncatchable(_Script):
    start_on = "ticker"

    def spawn(self) -> None:
        self.run.spawn_program(
            "ticker", "ticker", "--tick", self.run.tick_arg, "--catch-fpe"
        )

    def check(self, step: int, obs: _Obs) -> bool:
        wanted = (
            ("said", "SIGFPE"),
            ("stopped", "SIGSTOP"),
            ("continued", None),
            ("killed", "SIGHUP"),
        )[step]
        return obs.kind == wanted[0] and wanted[1] in (None, obs.signal)


class _Groups(_Script):
    # Beside sh, in its group: selecting sh is the first step.
    start_on = "sleep"

    def spawn(self) -> None:
        self.run.spawn_script("sh", GROUPS_SCRIPT)

    def check(self, step: int, obs: _Obs) -> bool:
        if step == 0:
            return obs.kind == "selected" and obs.name == "sh"
        return self.ends(obs) and not self.run.processes

    def hint(self, obs: _Obs) -> str | None:
        sleeps = [p.pid for p in self.run.all_processes() if p.alive]
        if self.ends(obs) and obs.name == "sh" and sleeps:
            listed = " and ".join(str(pid) for pid in sleeps)
            return (
                f"sh ({obs.pid}) has ended, but its sleeps ({listed}) still run: "
                "a signal to one process does not reach its children. Select a "
                "sleep and press g to signal what is left of the group."
            )
        return None


class _PingPong(_Script):
    ready = 2
    start_on = "pong"

    def spawn(self) -> None:
        runner_group = os.getpgrp()
        common = ("--not-group", str(runner_group), "--pause", "0.015")
        ping = self.run.spawn_program(
            "player", "ping", "--role", "ping", "--group", "0", *common
        )
        self.run.spawn_program(
            "player",
            "pong",
            "--role",
            "pong",
            "--group",
            str(ping),
            *common,
            group=ping,
        )

    def check(self, step: int, obs: _Obs) -> bool:
        if step == 0:
            return obs.kind == "hit" and obs.name == "pong"
        if step == 1:
            return obs.kind == "over"
        return self.ends(obs) and not self.run.processes


class _Graceful(_Script):
    ready = 2
    start_on = "parent"

    def __init__(self, run: LessonRun) -> None:
        super().__init__(run)
        self.facts: set[str] = set()

    def spawn(self) -> None:
        self.run.spawn_program(
            "family", "parent", "--lesson", "graceful", "--role", "parent"
        )

    def check(self, step: int, obs: _Obs) -> bool:
        # Reports and exits come from different threads, in either order:
        # remember them, whichever step is current.
        if obs.kind in ("cleaned", "reaped"):
            self.facts.add(obs.kind)
        if self.ends(obs):
            self.facts.add(f"{obs.name} ended")
        if step == 0:
            return obs.kind == "forwarded"
        if step == 1:
            return {"cleaned", "child ended"} <= self.facts
        return {"reaped", "parent ended"} <= self.facts


class _Sigchld(_Script):
    ready = 6
    start_on = "parent"

    def spawn(self) -> None:
        self.run.spawn_program(
            "family", "parent", "--lesson", "sigchld", "--role", "parent"
        )

    def check(self, step: int, obs: _Obs) -> bool:
        if step == 0:
            return obs.kind == "zombies" and bool(obs.data.get("all"))
        return obs.kind == "summary" and obs.data.get("children") == 5


class _Blocking(_Script):
    start_on = "blocker"

    def __init__(self, run: LessonRun) -> None:
        super().__init__(run)
        self.sends = {"SIGUSR1": 0, "SIGRTMIN": 0}
        self.step_sends = [0, 0]

    def spawn(self) -> None:
        self.run.spawn_program("blocker", "blocker")

    def check(self, step: int, obs: _Obs) -> bool:
        blocker = self.pid_of("blocker")
        # Sent to the blocker, alone or with its group (its pgid is its pid).
        if obs.kind == "sent" and obs.pid == blocker and obs.signal in self.sends:
            self.sends[obs.signal] += 1
            wanted = ("SIGUSR1", "SIGRTMIN")
            if step < 2 and obs.signal == wanted[step]:
                self.step_sends[step] += 1
                return self.step_sends[step] >= 5
        return step == 2 and obs.kind == "counted"


class _StopContinue(_Script):
    start_on = "ticker"

    def spawn(self) -> None:
        self.run.spawn_program("ticker", "ticker", "--tick", self.run.tick_arg)

    def check(self, step: int, obs: _Obs) -> bool:
        wanted = (
            ("stopped", "SIGSTOP"),
            ("continued", None),
            ("stopped", "SIGTSTP"),
            ("continued", None),
        )[step]
        return obs.kind == wanted[0] and wanted[1] in (None, obs.signal)


_SCRIPTS: dict[str, type[_Script]] = {
    "first-kill": _FirstKill,
    "handler": _Handler,
    "hangup": _Hangup,
    "uncatchable": _Uncatchable,
    "groups": _Groups,
    "ping-pong": _PingPong,
    "graceful": _Graceful,
    "sigchld": _Sigchld,
    "blocking": _Blocking,
    "stop-continue": _StopContinue,
}


def _counts(counts: Any) -> str:
    if not isinstance(counts, dict):
        return "nothing"
    return ", ".join(
        f"{name} {n} time{'s' if n != 1 else ''}" for name, n in counts.items()
    )


def _report_text(obs: _Obs) -> str | None:
    """The log line for a program's report (None: not logged)."""
    who = f"{obs.name} ({obs.pid})"
    data = obs.data
    texts: dict[str, Callable[[], str]] = {
        "started": lambda: f"{who} started: {data.get('about', '')}".rstrip(": "),
        "tick": lambda: f"{who}: tick {data.get('n')}",
        "said": lambda: (
            f"{who} caught {obs.signal} in its handler and said: {data.get('words')}"
        ),
        "refused": lambda: (
            f"{who} asked to catch {obs.signal}; the kernel refused "
            f"({data.get('error')}): {obs.signal} can never be caught"
        ),
        "hit": lambda: (
            f"{who} → {obs.signal} → group {data.get('group')}: "
            f"round {data.get('round')}"
        ),
        "over": lambda: f"{who}: rally over: {data.get('rounds')} rounds",
        "quit": lambda: (
            f"{who} caught SIGQUIT and left the game (by default SIGQUIT "
            "would end it with a core dump)"
        ),
        "forwarded": lambda: (
            f"{who} caught SIGTERM and sent SIGTERM to its child ({data.get('child')})"
        ),
        "cleaned": lambda: (
            f"{who} caught SIGTERM, removed its temporary file "
            f"{data.get('file')} and exits with status 0"
        ),
        "reaped": lambda: (
            f"{who} reaped its child {data.get('child')}: {data.get('how')} "
            + (
                f"with status {data.get('status')}"
                if data.get("how") == "exited"
                else f"by {_name(data.get('status'))}"
            )
        ),
        "go": lambda: f"{who} told its five children to exit, all at once",
        "zombies": lambda: (
            (
                f"{who}: all five children have ended; they are zombies "
                "(Z) until it reaps them"
                if data.get("all")
                else f"{who}: not all of its children ended in time"
            )
            + (
                f". Pending for it, blocked: {', '.join(data['pending'])}"
                if data.get("pending")
                else ""
            )
        ),
        "summary": lambda: (
            f"{who}: {data.get('children')} children ended, "
            f"{data.get('sigchld')} SIGCHLD{'' if data.get('sigchld') == 1 else 's'} "
            f"arrived; a waitpid(-1, WNOHANG) loop reaped all {data.get('children')}"
        ),
        "pending": lambda: (
            f"{who} asked to count. Pending now: "
            + (", ".join(data.get("signals") or []) or "nothing")
        ),
        "received": lambda: (
            f"{who} received {obs.signal} from pid {data.get('si_pid')}"
        ),
        "counted": lambda: (
            f"{who} took what was pending: {_counts(data.get('counts'))}"
        ),
        "error": lambda: f"{who}: {data.get('message')}",
    }
    make = texts.get(obs.kind)
    return make() if make else None


def _name(signo: Any) -> str:
    return signal_name(signo) if type(signo) is int else str(signo)


class LessonRun:
    """One run of a lesson: its processes, their events and the steps done.

    Args:
        lesson: The lesson to run.
        on_events: Called from the run's threads with batches of events.
        tick: The tickers' period in seconds.
    """

    def __init__(
        self, lesson: Lesson, on_events: OnEvents, *, tick: float = 1.0
    ) -> None:
        self.lesson = lesson
        self._on_events = on_events
        self.tick_arg = f"{tick:g}"
        self._script = _SCRIPTS[lesson.name](self)
        self._lock = threading.RLock()
        self._ready = threading.Condition(self._lock)
        self._ready_count = 0
        self._processes: dict[int, _Process] = {}
        self._started_pids: set[int] = set()
        self._pgids: set[int] = set()
        self._done = [False] * len(lesson.steps)
        self._threads: list[threading.Thread] = []
        self._pidfds: dict[int, _Process] = {}
        self._env = _program_env()
        self._report_r = self._report_w = -1
        self._lifeline_r = self._lifeline_w = -1
        self._wake_r = self._wake_w = -1
        self._temp_files: set[str] = set()
        self._state = "new"  # new, running, stopping, stopped

    # What the app reads.

    @property
    def processes(self) -> dict[int, str]:
        """The lesson's processes seen so far that are alive: pid -> role."""
        with self._lock:
            return {p.pid: p.name for p in self._processes.values() if p.alive}

    @property
    def pgids(self) -> frozenset[int]:
        """The process groups the run created."""
        with self._lock:
            return frozenset(self._pgids)

    @property
    def done(self) -> tuple[bool, ...]:
        """Per step, whether it is done."""
        with self._lock:
            return tuple(self._done)

    @property
    def current(self) -> int | None:
        """The index of the first step not done, None when all are."""
        with self._lock:
            return next((i for i, d in enumerate(self._done) if not d), None)

    @property
    def finished(self) -> bool:
        """Whether every step is done."""
        return self.current is None

    @property
    def started_pids(self) -> frozenset[int]:
        """The processes the run started itself (it is their parent)."""
        with self._lock:
            return frozenset(self._started_pids)

    @property
    def start_on(self) -> int | None:
        """The pid of the process the table's cursor should start on.

        None before it has started, or when finding the process is one of the
        lesson's steps (lesson 1).
        """
        name = self._script.start_on
        if name is None:
            return None
        return self._script.pid_of(name) or None

    def all_processes(self) -> list[_Process]:
        """Every process of the lesson seen so far, alive or not."""
        with self._lock:
            return list(self._processes.values())

    # What the app tells the run.

    def sent(self, pid: int, signo: int, *, group: bool = False) -> None:
        """The app sent a signal (successfully) to a process or a group.

        Args:
            pid: The process, or the group's id when ``group``.
            signo: The signal.
            group: Whether it went to the whole group ``pid``.
        """
        with self._lock:
            name = self._processes[pid].name if pid in self._processes else ""
            data = {"group": group, "t_mono_ns": time.monotonic_ns()}
            self._observe(_Obs("sent", pid, name, signal_name(signo), data))

    def selected(self, pid: int) -> None:
        """The app's cursor is now on this process.

        Args:
            pid: The selected process.
        """
        with self._lock:
            process = self._processes.get(pid)
            if process is not None and process.alive:
                self._observe(_Obs("selected", pid, process.name))

    # Starting.

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the lesson's processes and wait until they are all ready.

        Args:
            timeout: Seconds they may take.

        Raises:
            LessonError: If they could not start or get ready; whatever did
                start has been stopped.
        """
        with self._lock:
            if self._state != "new":
                raise LessonError("a lesson run can start only once")
            self._state = "running"
        try:
            self._report_r, self._report_w = os.pipe()
            self._lifeline_r, self._lifeline_w = os.pipe()
            self._wake_r, self._wake_w = os.pipe()
            reader = threading.Thread(
                target=self._read, daemon=True, name="sigtui-lesson-reader"
            )
            reader.start()
            self._threads.append(reader)
            self._script.spawn()
        except OSError as err:
            self.stop()
            raise LessonError(
                f"could not start lesson {self.lesson.name}: {err}"
            ) from err
        finally:
            # Only the programs keep these ends: the reader sees the end of
            # file when they are all gone, and the lifeline is ours alone.
            for name in ("_report_w", "_lifeline_r"):
                fd = getattr(self, name)
                if fd >= 0:
                    os.close(fd)
                    setattr(self, name, -1)
        deadline = time.monotonic() + timeout
        with self._ready:
            while self._ready_count < self._script.ready:
                left = deadline - time.monotonic()
                if left <= 0 or not any(
                    p.alive for p in self._processes.values() if p.popen
                ):
                    break
                self._ready.wait(left)
            ready = self._ready_count >= self._script.ready
        if not ready:
            self.stop()
            raise LessonError(
                f"lesson {self.lesson.name}: its processes did not get ready in time"
            )

    def spawn_program(self, module: str, name: str, *args: str, group: int = 0) -> int:
        """Start a lesson program (for the lesson scripts).

        Args:
            module: The program's module under ``sigtui.lessons.programs``.
            name: Its role, shown in the log and the table.
            *args: Its own options.
            group: The process group to join; 0 for a new one.

        Returns:
            Its pid.
        """
        argv = [sys.executable, "-m", f"{PROGRAMS}.{module}", "--name", name]
        argv += ["--report-fd", str(self._report_w)]
        argv += ["--lifeline-fd", str(self._lifeline_r), *args]
        with self._lock:  # the reader must know it before its first report
            popen = subprocess.Popen(
                argv,
                pass_fds=(self._report_w, self._lifeline_r),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                process_group=group,
                env=self._env,
            )
            return self._started(popen, name)

    def spawn_script(self, name: str, script: Path) -> int:
        """Start a shell script: lifeline on stdin, report pipe on stdout.

        Args:
            name: Its role.
            script: The script's path.

        Returns:
            Its pid.
        """
        with self._lock:  # the reader must know it before its first report
            popen = subprocess.Popen(
                ["/bin/sh", str(script)],
                stdin=self._lifeline_r,
                stdout=self._report_w,
                stderr=subprocess.DEVNULL,
                process_group=0,
            )
            return self._started(popen, name)

    def _started(self, popen: subprocess.Popen[bytes], name: str) -> int:
        process = _Process(popen.pid, name, popen)
        with self._lock:
            self._processes[popen.pid] = process
            self._started_pids.add(popen.pid)
            self._pgids.add(os.getpgid(popen.pid))
        thread = threading.Thread(
            target=self._wait, args=(process,), daemon=True, name="sigtui-lesson-wait"
        )
        thread.start()
        self._threads.append(thread)
        return popen.pid

    # Observing.

    def _observe(self, obs: _Obs, text: str | None = None) -> None:
        """Log an observation, complete a step with it; under the lock."""
        with self._lock:
            if self._state != "running":
                return
            events: list[LessonEvent] = []
            if obs.kind not in ("sent", "selected"):
                line = text if text is not None else _report_text(obs)
                if line:
                    events.append(LessonEvent(obs.kind, line, obs.pid, obs.signal))
            step = self.current
            done = False
            if step is not None:
                done = self._script.check(step, obs)
            if done and step is not None:
                self._done[step] = True
                total = len(self._done)
                explanation = self.lesson.steps[step].explanation
                events.append(
                    LessonEvent(
                        "step",
                        f"✓ step {step + 1} of {total} done: {explanation}",
                        step=step,
                    )
                )
                if self.finished:
                    events.append(
                        LessonEvent(
                            "finished",
                            f"✓ lesson {self.lesson.number} "
                            f"({self.lesson.title}) finished: all {total} steps "
                            "done. Leave it, or start it again.",
                        )
                    )
            elif step is not None and (hint := self._script.hint(obs)):
                events.append(LessonEvent("hint", hint, obs.pid, obs.signal))
            if events:
                with contextlib.suppress(Exception):  # the app's bug, not ours
                    self._on_events(events)

    def _on_report(self, message: dict[str, Any]) -> None:
        """One report line from a program (reader thread)."""
        kind = message.get("type")
        pid = message.get("pid")
        if not isinstance(kind, str) or type(pid) is not int:
            return
        if kind == "spawned":
            name = str(message.get("name", "process"))
            self._track(pid, name)
            self._observe(
                _Obs("started", pid, name),
                f"{name} ({pid}) started, in the same process group",
            )
            return
        if kind == "ready":
            name = str(message.get("name", ""))
            process = self._track(pid, name)
            if isinstance(message.get("file"), str):
                self._temp_files.add(message["file"])
            self._observe(_Obs("started", pid, process.name, data=message))
            with self._ready:
                self._ready_count += 1
                self._ready.notify_all()
            return
        with self._lock:
            known = self._processes.get(pid)
            name = known.name if known else "process"
        sig = message.get("signal")
        self._observe(
            _Obs(kind, pid, name, sig if isinstance(sig, str) else None, message),
            self._counted_text(kind, name, pid, message),
        )

    def _counted_text(
        self, kind: str, name: str, pid: int, message: dict[str, Any]
    ) -> str | None:
        """Lesson 9's count, with the number of sends the app told us of."""
        if kind != "counted" or not isinstance(self._script, _Blocking):
            return None
        sends = self._script.sends
        got = message.get("counts") or {}
        parts = []
        for signame in ("SIGUSR1", "SIGRTMIN"):
            n = got.get(signame, 0) if isinstance(got, dict) else 0
            parts.append(
                f"{signame} sent {sends[signame]} time"
                f"{'s' if sends[signame] != 1 else ''}, arrived {n} "
                f"time{'s' if n != 1 else ''}"
            )
        return f"{name} ({pid}) took what was pending: " + "; ".join(parts)

    def _track(self, pid: int, name: str) -> _Process:
        """Know a process; a new one the run did not start gets a pidfd."""
        with self._lock:
            process = self._processes.get(pid)
            if process is not None:
                if name and not process.popen:
                    process.name = name
                return process
            process = _Process(pid, name or "process")
            self._processes[pid] = process
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            # Already gone (and reaped by its parent).
            self._gone(process)
            return process
        with self._lock:
            self._pidfds[fd] = process
        return process

    def _gone(self, process: _Process) -> None:
        """A process the run did not start has ended (its pidfd said so)."""
        with self._lock:
            if not process.alive:
                return
            process.alive = False
        self._observe(
            _Obs("exited", process.pid, process.name), f"{process.label} has ended"
        )

    def _read(self) -> None:
        """Reader thread: reports and pidfds, until stop() wakes it."""
        reader = LineReader()
        poller = select.poll()
        poller.register(self._wake_r, select.POLLIN)
        poller.register(self._report_r, select.POLLIN)
        registered: set[int] = set()
        report_open = True
        try:
            while True:
                with self._lock:
                    for fd in self._pidfds.keys() - registered:
                        poller.register(fd, select.POLLIN)
                        registered.add(fd)
                ready = dict(poller.poll())
                if self._wake_r in ready:
                    break
                # Exits first: a report about an ended child (reaped) is
                # written after the child ended, so its pidfd is ready too.
                for fd in list(registered):
                    if fd in ready:
                        poller.unregister(fd)
                        registered.discard(fd)
                        with self._lock:
                            process = self._pidfds.pop(fd)
                        os.close(fd)
                        self._gone(process)
                if report_open and self._report_r in ready:
                    data = os.read(self._report_r, 1 << 16)
                    if not data:
                        report_open = False
                        poller.unregister(self._report_r)
                    for message in reader.feed(data):
                        self._on_report(message)
        finally:
            with self._lock:
                fds = list(self._pidfds)
                self._pidfds.clear()
            for fd in fds:
                os.close(fd)

    def _wait(self, process: _Process) -> None:
        """Thread that waits (waitid) on a process the run started (its one reaper)."""
        flags = os.WEXITED | os.WSTOPPED | os.WCONTINUED
        while True:
            try:
                info = os.waitid(os.P_PID, process.pid, flags)
            except ChildProcessError:
                with self._lock:
                    process.alive = False
                return
            except InterruptedError:
                continue
            if info is None:
                continue
            code, status = info.si_code, info.si_status
            label = process.label
            if code == os.CLD_EXITED:
                kind, sig = "exited", None
                text = f"{label} exited with status {status}"
            elif code in (os.CLD_KILLED, os.CLD_DUMPED):
                kind, sig = "killed", signal_name(status)
                if status == signal.SIGKILL:
                    text = f"{label} was killed by SIGKILL: it could not catch it"
                else:
                    text = f"{label} was ended by {sig}, the signal's default action"
                if code == os.CLD_DUMPED:
                    text += " (core dumped)"
            elif code == os.CLD_STOPPED:
                kind, sig = "stopped", signal_name(status)
                text = f"{label} was stopped by {sig}: STAT shows T"
            elif code == os.CLD_CONTINUED:
                kind, sig = "continued", "SIGCONT"
                text = f"{label} was continued by SIGCONT"
            else:
                continue
            if kind in ("exited", "killed"):
                assert process.popen is not None
                # Reaped here: Popen must never wait for it again.
                process.popen.returncode = status if kind == "exited" else -status
                with self._lock:
                    process.alive = False
                    self._observe(_Obs(kind, process.pid, process.name, sig), text)
                    self._ready.notify_all()
                return
            self._observe(_Obs(kind, process.pid, process.name, sig), text)

    # Stopping.

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """End every process of the lesson, reap them, and release everything.

        Idempotent. Closes the lifeline (the programs exit at its end of
        file), sends SIGCONT to the run's groups so stopped processes see
        it, waits up to ``timeout``, then sends SIGKILL to the groups that
        still have members and waits again.

        Args:
            timeout: Seconds for an orderly exit before SIGKILL.
        """
        with self._lock:
            if self._state in ("stopping", "stopped"):
                return
            self._state = "stopping"
        with self._lock:
            if self._lifeline_w >= 0:
                os.close(self._lifeline_w)
                self._lifeline_w = -1
        self._signal_groups(signal.SIGCONT)
        if not self._wait_all_gone(timeout):
            self._signal_groups(signal.SIGKILL)
            self._wait_all_gone(timeout)
        if self._wake_w >= 0:
            os.write(self._wake_w, b"x")
        for thread in self._threads:
            if thread is not threading.current_thread():  # stop() from on_events
                thread.join(timeout)
        for name in ("_report_r", "_report_w", "_lifeline_r", "_wake_r", "_wake_w"):
            fd = getattr(self, name)
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, name, -1)
        for path in self._temp_files:
            with contextlib.suppress(OSError):
                os.unlink(path)
        with self._lock:
            self._state = "stopped"

    def _signal_groups(self, signo: int) -> None:
        """Signal the groups the run created that have a known member alive.

        A group with a live member keeps its number, so the signal cannot
        reach a new group that reused it.
        """
        with self._lock:
            groups = set()
            for process in self._processes.values():
                if process.alive:
                    with contextlib.suppress(OSError):
                        groups.add(os.getpgid(process.pid))
            groups &= self._pgids
        for pgid in groups:
            if pgid <= 1 or pgid == os.getpgrp():
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signo)

    def _wait_all_gone(self, timeout: float) -> bool:
        """Wait until no process of the lesson is alive (bounded)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                alive = [p for p in self._processes.values() if p.alive]
            if not alive:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            # Direct children: their waitid threads notify; others: pidfds.
            fds = []
            try:
                for process in alive:
                    with contextlib.suppress(OSError):
                        fds.append(os.pidfd_open(process.pid))
                if fds:
                    select.select(fds, [], [], min(left, 0.05))
                else:
                    with self._ready:
                        self._ready.wait(min(left, 0.05))
            finally:
                for fd in fds:
                    os.close(fd)
