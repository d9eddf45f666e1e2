"""A lesson session: the lesson's processes, what happens to them, its steps.

Textual-free. A :class:`LessonSession` starts the lesson's programs through
the shared supervisor (:mod:`sigtui.children`), each in a new process group of
sigtui's session, and turns what they report and what happens to them into
:class:`~sigtui.lessons.model.LessonEvent` values (one log line each, with a
:class:`~sigtui.lessons.model.Kind`); an observation may also complete the
current step, which adds a ``STEP`` event (and a ``FINISHED`` one after the
last step). Steps complete in order: an observation counts only for the step
that is current when it arrives. The checks rest on what really happened to
the processes; :meth:`LessonSession.sent` and :meth:`LessonSession.selected`
are used only where nothing can be observed (a blocked signal, the cursor).

Why a new group in sigtui's session, not a new session: a process group whose
members' parents are all outside its session is *orphaned*, and the kernel
discards SIGTSTP sent to an orphaned group (lesson 10 needs it to stop), and
lesson 6's second player could not join the first one's group from another
session. A bonus: when sigtui dies, the group becomes orphaned, and the kernel
sends a stopped member SIGHUP and SIGCONT, so it wakes and sees its lifeline
end. Lesson 5's shell script reads its lifeline where it would ``wait``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sigtui.children import Change, Children, SpawnError, program_env
from sigtui.delivery.flow import Sent
from sigtui.delivery.targets import GroupTarget
from sigtui.demo.protocol import LineReader
from sigtui.lessons.model import (
    REPORTED,
    Kind,
    Lesson,
    LessonError,
    LessonEvent,
    Observation,
)
from sigtui.lessons.words import observed, report_text
from sigtui.procfs import signal_name

PROGRAMS = "sigtui.lessons.programs"
"""The package of the lesson programs."""

START_TIMEOUT = 10.0
"""Seconds the programs may take to report ready."""

STOP_TIMEOUT = 3.0
"""Seconds the programs may take to exit after their lifeline ends."""

_REPORTS = {kind.value: kind for kind in REPORTED}
"""A program's report ``type`` to its kind."""

OnEvents = Callable[[list[LessonEvent]], object]
"""Receives batches of events, from the supervisor's threads."""


class _Launcher:
    """Starts a lesson's programs for its ``spawn``."""

    def __init__(self, session: LessonSession, tick: str) -> None:
        self.session = session
        self.tick = tick
        self.env = program_env()

    def program(self, module: str, role: str, *args: str, group: int = 0) -> int:
        argv = [sys.executable, "-m", f"{PROGRAMS}.{module}", "--name", role, *args]
        return self.session._spawn(role, argv, group=group, env=self.env)

    def script(self, role: str, path: Path) -> int:
        return self.session._spawn(role, ["/bin/sh", str(path)], stdio=True)


class LessonSession:
    """One run of a lesson: its processes, their events and the steps done.

    Args:
        lesson: The lesson to run.
        on_events: Called from the supervisor's threads with batches of events.
        tick: The tickers' period in seconds.
    """

    def __init__(self, lesson: Lesson, on_events: OnEvents, *, tick: float = 1.0):
        self.lesson = lesson
        self._on_events = on_events
        self._tick = f"{tick:g}"
        self._children = Children(self._on_data, self._on_change)
        self._lock = self._children.lock
        self._lines = LineReader()
        self._roles: dict[int, str] = {}
        self._started: set[int] = set()
        self._history: list[Observation] = []
        self._step_began = 0
        self._done = [False] * len(lesson.steps)
        self._ready = 0
        self._temp_files: set[str] = set()
        self._state = "new"  # new, running, stopping, stopped

    # -- what the UI and the checks read ------------------------------------------

    @property
    def processes(self) -> dict[int, str]:
        """The lesson's processes seen so far that are alive: pid to role."""
        with self._lock:
            alive = self._children.alive
            return {pid: role for pid, role in self._roles.items() if alive(pid)}

    def by_role(self, role: str) -> list[int]:
        """The live processes with this role, lowest pid first.

        Args:
            role: ``ticker``, ``sleep``...

        Returns:
            Their pids.
        """
        return sorted(pid for pid, name in self.processes.items() if name == role)

    def pid_of(self, role: str) -> int:
        """The pid of the first process with this role, alive or not.

        Args:
            role: The role.

        Returns:
            The pid, 0 if none.
        """
        with self._lock:
            return next((p for p, name in self._roles.items() if name == role), 0)

    @property
    def pgids(self) -> frozenset[int]:
        """The process groups the session created."""
        return self._children.pgids

    @property
    def started_pids(self) -> frozenset[int]:
        """The processes the session started itself (it is their parent)."""
        with self._lock:
            return frozenset(self._started)

    @property
    def history(self) -> Sequence[Observation]:
        """Everything observed so far, except ticks and selections."""
        with self._lock:
            return tuple(self._history)

    @property
    def since_step(self) -> Sequence[Observation]:
        """What was observed since the current step began."""
        with self._lock:
            return tuple(self._history[self._step_began :])

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
    def start_on(self) -> int | None:
        """The pid of the process the table's cursor should start on.

        None before it has started, or when finding the process is one of the
        lesson's steps (lesson 1).
        """
        role = self.lesson.start_on
        return None if role is None else self.pid_of(role) or None

    # -- what the UI tells the session --------------------------------------------

    def sent(self, pid: int, signo: int, *, group: bool = False) -> None:
        """The app sent a signal (successfully) to a process or a group.

        Lessons count what they cannot see arrive (a blocked signal).

        Args:
            pid: The process, or the group's id when ``group``.
            signo: The signal.
            group: Whether it went to the whole group ``pid``.
        """
        data = {"group": group, "t_mono_ns": time.monotonic_ns()}
        with self._lock:
            name = self._roles.get(pid, "")
            self._observe(Observation(Kind.SENT, pid, name, signal_name(signo), data))

    def saw_send(self, sent: Sent) -> None:
        """Count a send by the app, as the send flow reports it.

        Args:
            sent: What sending returned.
        """
        number = sent.sig.number
        if isinstance(sent.target, GroupTarget):
            if any(r.ok for r in sent.results):
                self.sent(sent.target.pgid, number, group=True)
            return
        for result in sent.results:
            if result.ok and result.pid is not None:
                self.sent(result.pid, number)

    def selected(self, pid: int) -> None:
        """The app's cursor is now on this process.

        Args:
            pid: The selected process.
        """
        with self._lock:
            if pid in self._roles and self._children.alive(pid):
                self._observe(Observation(Kind.SELECTED, pid, self._roles[pid]))

    # -- starting and stopping ----------------------------------------------------

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
                raise LessonError("a lesson session can start only once")
            self._state = "running"
        try:
            self.lesson.spawn(_Launcher(self, self._tick))
        except (SpawnError, OSError) as err:
            self.stop()
            raise LessonError(
                f"could not start lesson {self.lesson.name}: {err}"
            ) from err
        wanted = self.lesson.ready
        self._children.wait_for(
            lambda: self._ready >= wanted or not self._children.any_started_alive(),
            timeout,
        )
        if self._ready < wanted:
            self.stop()
            raise LessonError(
                f"lesson {self.lesson.name}: its processes did not get ready in time"
            )

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """End every process of the lesson, reap them, release everything.

        Idempotent; nothing is reported once it has begun.

        Args:
            timeout: Seconds for an orderly exit before SIGKILL.
        """
        with self._lock:
            if self._state in ("stopping", "stopped"):
                return
            self._state = "stopping"
        self._children.stop(timeout)
        for path in self._temp_files:
            with contextlib.suppress(OSError):
                os.unlink(path)
        with self._lock:
            self._state = "stopped"

    def cut_lifeline(self) -> None:
        """Close the lifeline as if sigtui were gone: the programs exit alone."""
        self._children.cut_lifeline()

    def _spawn(
        self,
        role: str,
        argv: list[str],
        *,
        stdio: bool = False,
        group: int = 0,
        env: Mapping[str, str] | None = None,
    ) -> int:
        with self._lock:  # its role must be known before its first report
            pid = self._children.spawn(argv, stdio=stdio, group=group, env=env)
            self._roles[pid] = role
            self._started.add(pid)
        return pid

    # -- the supervisor's threads -------------------------------------------------

    def _on_data(self, data: bytes) -> None:
        for message in self._lines.feed(data):
            self._on_report(message)

    def _on_report(self, message: dict[str, Any]) -> None:
        kind, pid = message.get("type"), message.get("pid")
        if type(pid) is not int:
            return
        name = str(message.get("name") or "process")
        sig = message.get("signal")
        match kind:
            case "spawned":
                self._know(pid, name)
                obs = Observation(Kind.STARTED, pid, name)
                self._observe(obs, f"{obs.label} started, in the same process group")
            case "ready":
                self._know(pid, name)
                if isinstance(message.get("file"), str):
                    self._temp_files.add(message["file"])
                self._ready += 1
                self._observe(
                    Observation(Kind.STARTED, pid, self._roles[pid], data=message)
                )
            case str() if kind in _REPORTS:
                self._observe(
                    Observation(
                        _REPORTS[kind],
                        pid,
                        self._roles.get(pid, "process"),
                        sig if isinstance(sig, str) else None,
                        message,
                    )
                )

    def _know(self, pid: int, name: str) -> None:
        """Know a process; one the session did not start is watched till it ends."""
        if pid in self._started:
            return
        known = pid in self._roles
        self._roles[pid] = name
        if not known:
            self._children.watch(pid)

    def _on_change(self, change: Change) -> None:
        self._observe(*observed(change, self._roles.get(change.pid, "process")))

    def _observe(self, obs: Observation, text: str | None = None) -> None:
        """Log an observation, complete a step with it (under the lock)."""
        if self._state != "running":
            return
        events: list[LessonEvent] = []
        if obs.kind not in (Kind.SENT, Kind.SELECTED):
            line = text or self.lesson.words(obs, self) or report_text(obs)
            if line:
                events.append(LessonEvent(obs.kind, line, obs.pid, obs.signal))
        if obs.kind not in (Kind.TICK, Kind.SELECTED):
            self._history.append(obs)
        step = self.current
        if step is not None and self.lesson.steps[step].check(obs, self):
            self._done[step] = True
            self._step_began = len(self._history)
            events += self._step_done(step)
        elif step is not None and (hint := self.lesson.hint(obs, self)):
            events.append(LessonEvent(Kind.HINT, hint, obs.pid, obs.signal))
        if events:
            self._on_events(events)

    def _step_done(self, step: int) -> list[LessonEvent]:
        lesson, total = self.lesson, len(self._done)
        explanation = lesson.steps[step].explanation
        text = f"✓ step {step + 1} of {total} done: {explanation}"
        events = [LessonEvent(Kind.STEP, text, step=step)]
        if self.finished:
            events.append(
                LessonEvent(
                    Kind.FINISHED,
                    f"✓ lesson {lesson.number} ({lesson.title}) finished: all "
                    f"{total} steps done. Leave it, or start it again.",
                )
            )
        return events
