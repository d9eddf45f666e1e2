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

Where the kernel's trace is on, the screen passes its records to
:meth:`LessonSession.traced`: what the programs and the supervisor cannot see
(a signal ignored, a plain program's receipts, who sent a signal, a stop of a
process the session did not start) becomes observations too, one source per
fact (:mod:`sigtui.demo.traced`), so a lesson can use a plain program
(:attr:`~sigtui.lessons.model.Lesson.needs_tracing`).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sigtui.children import (
    Change,
    Children,
    Exited,
    Gone,
    Killed,
    SpawnError,
    program_env,
)
from sigtui.delivery.flow import Sent
from sigtui.delivery.targets import GroupTarget
from sigtui.demo.protocol import LineReader
from sigtui.demo.traced import (
    STATE_CHANGES,
    receipt_line,
    receipts,
    sender_data,
)
from sigtui.lessons.model import (
    REPORTED,
    Kind,
    Lesson,
    LessonError,
    LessonEvent,
    Observation,
)
from sigtui.lessons.words import observed, report_text
from sigtui.procfs import signal_name, stat_comm
from sigtui.trace.records import Fate, Lost, Record, TracedSignal

NEEDS_TRACING = (
    "Lesson {number} ({name}) needs the kernel's signal trace, which is off: "
    "run sigtui as root on Linux with tracefs to take it."
)
"""Why a lesson that needs tracing does not start (one sentence)."""

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

    def plain(self, role: str, argv: Sequence[str], *, named: str) -> int:
        pid = self.session._spawn(role, list(argv), stdio=True)
        with self.session._lock:
            self.session._plain[pid] = named
        return pid


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
        self._reporting: set[int] = set()  # said "ready" itself: it reports
        self._plain: dict[int, str] = {}  # plain program: its ready name
        self._ended_at: dict[int, float] = {}
        self._trace_stopped: set[int] = set()
        self._tracing = False

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

    @property
    def tracing(self) -> bool:
        """Whether the screen says the kernel's trace is on (:meth:`set_tracing`)."""
        with self._lock:
            return self._tracing

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

    # -- the kernel's trace -------------------------------------------------------

    def set_tracing(self, on: bool) -> None:
        """Say whether the kernel's trace is on; the screen calls it on each change.

        Call it before :meth:`start`: a lesson that needs tracing starts only
        while it is on. If it turns off while such a lesson runs, one hint
        says why its steps can no longer complete.

        Args:
            on: True while the screen passes traced records to :meth:`traced`.
        """
        with self._lock:
            was, self._tracing = self._tracing, on
            if (
                was
                and not on
                and self.lesson.needs_tracing
                and self._state == "running"
                and self.current is not None
            ):
                text = (
                    "The kernel's trace is off now, so this lesson's steps "
                    "cannot be checked: leave the lesson."
                )
                self._on_events([LessonEvent(Kind.HINT, text)])

    def traced(self, records: Sequence[Record]) -> None:
        """Take a batch of the kernel's traced records (any thread).

        The screen passes every batch while tracing is on; records about
        other processes are skipped (a lesson's process counts for what was
        sent to it before it ended). One source per fact
        (:mod:`sigtui.demo.traced`), so nothing is counted twice:

        - a signal a lesson process took becomes a :attr:`Kind.RECEIVED`
          observation with the trace's ``fate`` and sender in its data
          (checked with :func:`sigtui.lessons.model.traced`), except a
          ``caught`` one for a program that reports itself (its own report
          says so) and an ignored SIGCHLD, SIGWINCH or SIGURG;
        - for a process the session did not start (one its programs
          started), a stop, and a continue after it, are
          :attr:`Kind.STOPPED` and :attr:`Kind.CONTINUED` instead (the
          supervisor sees only its own children stop);
        - ends always come from the supervisor, never from the trace;
        - lost events, while a lesson that needs tracing runs, give a hint.

        Each observation is logged and may complete the current step, as
        the programs' reports do; events go to ``on_events`` under the
        supervisor's lock, so batches never interleave.

        Args:
            records: One batch, in the order the feed gave them.
        """
        with self._lock:
            if self._state != "running":
                return
            alive = frozenset(p for p in self._roles if self._children.alive(p))
            for record in receipts(records, alive, self._ended_at):
                self._traced_signal(record)
            lost = sum(r.count for r in records if isinstance(r, Lost))
            if lost and self.lesson.needs_tracing and self.current is not None:
                text = (
                    f"The kernel lost {lost} events in a flood of signals: if "
                    "a step did not tick, do it again."
                )
                self._on_events([LessonEvent(Kind.HINT, text)])

    def _traced_signal(self, record: TracedSignal) -> None:
        pid, fate = record.target_pid, record.fate
        if fate is Fate.CAUGHT and pid in self._reporting:
            return  # the program's own report says it, sooner
        role = self._roles[pid]
        kind = Kind.RECEIVED
        if pid not in self._started and fate in STATE_CHANGES:
            if fate is Fate.STOPPED:
                kind = Kind.STOPPED
                self._trace_stopped.add(pid)
            elif pid in self._trace_stopped:
                kind = Kind.CONTINUED
                self._trace_stopped.discard(pid)
        obs = Observation(
            kind, pid, role, signal_name(record.signo), sender_data(record)
        )
        self._observe(obs, receipt_line(obs.label, record))

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
            if self.lesson.needs_tracing and not self._tracing:
                lesson = self.lesson
                raise LessonError(
                    NEEDS_TRACING.format(number=lesson.number, name=lesson.name)
                )
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
        if self._ready < wanted or not self._plain_ready(time.monotonic() + timeout):
            self.stop()
            raise LessonError(
                f"lesson {self.lesson.name}: its processes did not get ready in time"
            )

    def _plain_ready(self, deadline: float) -> bool:
        """Wait until each plain program has its name (``nohup`` ran ``sort``).

        A plain program reports nothing: its name in ``/proc`` says it has
        run the command the lesson is about, with the dispositions it
        inherited. Each ready one is observed as started.
        """
        with self._lock:
            waiting = dict(self._plain)
        while waiting:
            for pid, name in list(waiting.items()):
                comm = _comm(pid)
                if comm is None:
                    return False  # ended already
                if comm == name:
                    del waiting[pid]
                    with self._lock:
                        obs = Observation(Kind.STARTED, pid, self._roles[pid])
                        about = "an ordinary program: it reports nothing itself"
                        self._observe(obs, f"{obs.label} started: {about}")
            if waiting:
                if time.monotonic() > deadline:
                    return False
                # Nothing to wait on: an exec makes no event to wake us.
                time.sleep(0.005)
        return True

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
                self._reporting.add(pid)
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
        if isinstance(change, Exited | Killed | Gone):
            self._ended_at[change.pid] = time.monotonic()
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


def _comm(pid: int) -> str | None:
    """A process's kernel name, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat_comm(stat.read())
    except (OSError, ValueError):
        return None
