"""What a lesson is made of: steps with checks, observations, events.

Standard library only. A :class:`Lesson` declares its text, how to start its
programs (``spawn``, through a :class:`Launcher`) and a check per step. A
check is a function of the observation that just arrived and a
:class:`Context` (the lesson's processes and what has been observed so far);
it never needs to know which step number it is.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class LessonError(RuntimeError):
    """A lesson that does not exist, or could not be started."""


class Kind(enum.Enum):
    """What an observation or a lesson event is about."""

    # Reports from the lesson's programs.
    STARTED = "started"
    TICK = "tick"
    SAID = "said"
    REFUSED = "refused"
    RECEIVED = "received"
    HIT = "hit"
    OVER = "over"
    QUIT = "quit"
    FORWARDED = "forwarded"
    CLEANED = "cleaned"
    GO = "go"
    ZOMBIES = "zombies"
    REAPED = "reaped"
    SUMMARY = "summary"
    PENDING = "pending"
    COUNTED = "counted"
    ERROR = "error"
    # What happened to a process (the supervisor saw it).
    STOPPED = "stopped"
    CONTINUED = "continued"
    EXITED = "exited"
    KILLED = "killed"
    # What the app did (never logged).
    SENT = "sent"
    SELECTED = "selected"
    # About the lesson itself.
    STEP = "step"
    FINISHED = "finished"
    HINT = "hint"


REPORTED = frozenset(Kind) - {
    Kind.STOPPED,
    Kind.CONTINUED,
    Kind.EXITED,
    Kind.KILLED,
    Kind.SENT,
    Kind.SELECTED,
    Kind.STEP,
    Kind.FINISHED,
    Kind.HINT,
}
"""The kinds a program may report (plus ``ready`` and ``spawned``: STARTED)."""


@dataclass(frozen=True)
class Observation:
    """Something observed in a lesson, before it becomes a log line.

    Attributes:
        kind: What it is.
        pid: The process it is about (for a group send, the group).
        name: That process's role (``ticker``).
        signal: The signal's name, where one is involved.
        data: The program's report, the send's ``t_mono_ns`` and ``group``,
            or what the kernel's trace saw (``traced`` True, ``fate``, the
            sender: :func:`sigtui.demo.traced.sender_data`).
    """

    kind: Kind
    pid: int
    name: str
    signal: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``ticker (4242)``: how the log names the process."""
        return f"{self.name} ({self.pid})"

    @property
    def ends(self) -> bool:
        """Whether it says that a process ended."""
        return self.kind in (Kind.EXITED, Kind.KILLED)


@dataclass(frozen=True)
class LessonEvent:
    """One thing that happened in a lesson: one line for the signal log.

    Attributes:
        kind: What it is about.
        text: The line, in plain words, with pids.
        pid: The process it is about (0 if none).
        signal: The signal's name, where one is involved.
        step: For :attr:`Kind.STEP` events, the index of the step just done.
    """

    kind: Kind
    text: str
    pid: int = 0
    signal: str | None = None
    step: int | None = None


class Context(Protocol):
    """What a step's check may look at, besides the observation itself."""

    @property
    def processes(self) -> Mapping[int, str]:
        """The lesson's live processes: pid to role."""
        ...

    @property
    def started_pids(self) -> frozenset[int]:
        """The processes the session started itself."""
        ...

    @property
    def history(self) -> Sequence[Observation]:
        """Everything observed so far, this one included (no ticks, selections)."""
        ...

    @property
    def since_step(self) -> Sequence[Observation]:
        """The part of :attr:`history` since the current step began."""
        ...

    def pid_of(self, role: str) -> int:
        """The pid of the first process with this role (0 if none)."""
        ...


class Launcher(Protocol):
    """How a lesson starts its programs."""

    tick: str
    """The tickers' period, as an option value."""

    def program(self, module: str, role: str, *args: str, group: int = 0) -> int:
        """Start ``python -m sigtui.lessons.programs.MODULE --name ROLE ARGS``.

        Args:
            module: The program's module.
            role: Its role, shown in the log and the table.
            *args: Its own options.
            group: The process group to join; 0 for a new one.

        Returns:
            Its pid.
        """
        ...

    def script(self, role: str, path: Path) -> int:
        """Start a shell script: lifeline on stdin, report pipe on stdout.

        Args:
            role: Its role.
            path: The script.

        Returns:
            Its pid.
        """
        ...

    def plain(self, role: str, argv: Sequence[str], *, named: str) -> int:
        """Start a plain program: no reports, no code for signals of its own.

        Its standard input is the lifeline, so the program must end at its
        end of file (``cat``, ``sort``...): then it cannot outlive sigtui.
        What happens to it is known from the kernel's trace (and the
        supervisor); a lesson with one sets :attr:`Lesson.needs_tracing`.

        Args:
            role: Its role, shown in the log.
            argv: The command (``["nohup", "sort"]``).
            named: Its kernel name once it is ready (``sort`` after
                ``nohup`` has run it): the lesson starts when it has it.

        Returns:
            Its pid.
        """
        ...


Check = Callable[[Observation, Context], bool]
"""Whether an observation completes a step."""

Say = Callable[[Observation, Context], str | None]
"""A lesson's own words for an observation, or its hint (None: nothing)."""


@dataclass(frozen=True)
class Step:
    """One thing the class does in a lesson.

    Attributes:
        text: The instruction, in plain words.
        explanation: What the step showed; shown once it is done.
        check: Whether an observation completes it.
    """

    text: str
    explanation: str
    check: Check


def ended_too_soon(obs: Observation, context: Context) -> str | None:
    """The usual hint: a process the lesson needs was killed before the end.

    Args:
        obs: An observation that completed no step.
        context: The lesson.

    Returns:
        The hint, or None.
    """
    if obs.kind is Kind.KILLED and obs.pid in context.started_pids:
        return (
            f"{obs.label} has ended before the lesson was done, so the next "
            "steps cannot happen: leave the lesson and start it again."
        )
    return None


def no_words(obs: Observation, context: Context) -> str | None:
    """No words of a lesson's own: the usual ones are used.

    Args:
        obs: The observation.
        context: The lesson.

    Returns:
        None.
    """
    return None


@dataclass(frozen=True)
class Lesson:
    """A guided lesson: its own processes and the steps to do with them.

    Attributes:
        number: Its place in the course, from 1.
        name: A short slug for the command line (``first-kill``).
        title: The title, for a heading.
        summary: Two or three sentences on what it is about.
        steps: The steps, in the order the class does them.
        spawn: Starts its programs.
        ready: How many ``ready`` reports mean that everything is set up.
        start_on: The role the table's cursor starts on; None where finding
            the process is itself a step.
        hint: What to say when an observation leaves the lesson stuck.
        words: Its own log line for an observation (None: the usual one).
        needs_tracing: Its checks need the kernel's trace (a plain program
            reports nothing): it starts only while tracing is on.
    """

    number: int
    name: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    spawn: Callable[[Launcher], None]
    ready: int = 1
    start_on: str | None = None
    hint: Say = ended_too_soon
    words: Say = no_words
    needs_tracing: bool = False


# Checks that several lessons use.


def selected(role: str) -> Check:
    """The class put the cursor on a process with this role.

    Args:
        role: The role.

    Returns:
        The check.
    """
    return lambda obs, _: obs.kind is Kind.SELECTED and obs.name == role


def seen(kind: Kind, signal: str | None = None, *, role: str | None = None) -> Check:
    """An observation of this kind (with this signal, about this role, if given).

    Args:
        kind: The kind.
        signal: The signal's name, or None for any.
        role: The process's role, or None for any.

    Returns:
        The check.
    """
    return lambda obs, _: (
        obs.kind is kind and signal in (None, obs.signal) and role in (None, obs.name)
    )


def traced(signal: str, fate: str, *, role: str | None = None) -> Check:
    """The kernel's trace saw a process take this signal with this fate.

    Args:
        signal: The signal's name.
        fate: ``caught``, ``ignored``, ``killed``, ``stopped`` or ``continued``
            (:class:`sigtui.trace.records.Fate` values).
        role: The process's role, or None for any.

    Returns:
        The check.
    """
    return lambda obs, _: (
        obs.data.get("traced") is True
        and obs.data.get("fate") == fate
        and obs.signal == signal
        and role in (None, obs.name)
    )


def all_ended(obs: Observation, context: Context) -> bool:
    """A process ended and none of the lesson's is left.

    Args:
        obs: The observation.
        context: The lesson.

    Returns:
        Whether the lesson's processes are all gone.
    """
    return obs.ends and not context.processes
