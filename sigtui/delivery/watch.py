"""After a send: what became of the targets, and the TERM-then-KILL escalation."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from sigtui.delivery.guards import process_refusal
from sigtui.delivery.send import Syscalls, _owner
from sigtui.delivery.targets import ProcessTarget
from sigtui.processes import ProcessIdentity, ProcessInfo
from sigtui.processes.scan import still_running
from sigtui.signals import SignalSpec
from sigtui.signals.predict import Prediction
from sigtui.signals.survival import (
    Circumstances,
    Reason,
    after_kill,
    read_circumstances,
    why_still_there,
)

WATCH_SECONDS = 2.0
"""How long a send's targets are watched for a change."""

POLL_SECONDS = 0.05
"""How often their state is looked at meanwhile."""

STOP_SETTLE_SECONDS = 0.25
"""How long a process seen stopped is watched for someone continuing it."""

_STOP_SIGNALS = frozenset(
    int(s) for s in (signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)
)


class Fate(Enum):
    """What became of a process after a signal."""

    EXITED = "exited"
    STOPPED = "stopped"
    RESUMED = "stopped, then continued by another process"
    """It stopped, but something else sent it SIGCONT at once (as tmux does
    for its pane's process), so the watch finds it running again."""
    CONTINUED = "continued"
    RUNNING = "still running"


@dataclass(frozen=True)
class Observation:
    """The fate of one process.

    Attributes:
        info: The process.
        fate: What became of it.
        state: Its last /proc state letter ("" once gone).
    """

    info: ProcessInfo
    fate: Fate
    state: str


def current_state(info: ProcessInfo) -> str | None:
    """The process's state letter now, or None if it (that identity) is gone.

    Args:
        info: The process as listed.

    Returns:
        The state letter, or None.
    """
    stat = still_running(info)
    return None if stat is None else stat.state


def watch(
    members: Sequence[ProcessInfo],
    sig: SignalSpec,
    *,
    timeout: float = WATCH_SECONDS,
    cancel: threading.Event | None = None,
    state_of: Callable[[ProcessInfo], str | None] = current_state,
    before: Mapping[int, str | None] | None = None,
) -> list[Observation]:
    """Watch processes for a short, bounded while after a signal.

    An outcome compares the state before the send with the states seen
    after it. A process that exits (or becomes a zombie) is ``exited``;
    after a stop signal one that reaches state T is ``stopped``, and one
    that is running again at the end (someone continued it at once) or that
    SIGSTOP never showed stopped, though nothing held the signal off
    (no D, no tracer), is ``resumed``; after SIGCONT one that was stopped
    before the send and leaves T is ``continued``. Whatever has not changed
    when the time is up is ``still running`` (its state says whether it
    runs or is still stopped).

    Args:
        members: The processes signalled.
        sig: The signal sent.
        timeout: Seconds to watch at most.
        cancel: Stops the watch early when set.
        state_of: Reads a process's state (None: gone).
        before: By pid, each process's state read just before the send
            (None: it was gone). A process not in it (or no mapping) is taken
            to have been stopped before a SIGCONT.

    Returns:
        One observation per process, in the order given.
    """
    waiter = cancel or threading.Event()
    deadline = time.monotonic() + timeout
    fates: dict[int, Observation] = {}
    last: dict[int, str] = {}
    while True:
        for info in members:
            if id(info) in fates:
                continue
            state = state_of(info)
            was = before.get(info.pid, "T") if before is not None else "T"
            fate = _fate(state, sig, was)
            if state is not None:
                last[id(info)] = state
            if fate is not None:
                fates[id(info)] = Observation(info, fate, state or "")
        if len(fates) == len(members) or time.monotonic() >= deadline:
            break
        if waiter.wait(POLL_SECONDS):
            break
    seen = [
        fates.get(id(info)) or Observation(info, Fate.RUNNING, last.get(id(info), ""))
        for info in members
    ]
    if sig.number in _STOP_SIGNALS:
        seen = _settle(seen, sig, state_of, waiter)
    return seen


def _settle(
    seen: list[Observation],
    sig: SignalSpec,
    state_of: Callable[[ProcessInfo], str | None],
    waiter: threading.Event,
) -> list[Observation]:
    """Look at stopped processes a moment longer: is someone continuing them?

    A parent that watches its children's stops (a shell, tmux) may send
    SIGCONT a few milliseconds after the stop.
    """
    deadline = time.monotonic() + STOP_SETTLE_SECONDS
    while True:
        seen = [_resumed(o, sig, state_of) for o in seen]
        if not any(o.fate is Fate.STOPPED for o in seen):
            return seen
        if time.monotonic() >= deadline or waiter.wait(POLL_SECONDS / 5):
            return seen


def _resumed(
    observation: Observation,
    sig: SignalSpec,
    state_of: Callable[[ProcessInfo], str | None],
) -> Observation:
    """Whether a stop was undone at once by someone else's SIGCONT.

    Seen stopped, a process running again a moment later was continued.
    After SIGSTOP (which nothing can catch, block or ignore), one never seen
    stopped, though running, not in D and not traced, was stopped and
    continued between two looks (or its pending SIGSTOP was discarded by a
    SIGCONT): either way, another process continued it.
    """
    fate = observation.fate
    if fate is Fate.STOPPED:
        now = state_of(observation.info)
        if now is not None and now not in "TtZXD":
            return Observation(observation.info, Fate.RESUMED, now)
    elif (
        fate is Fate.RUNNING
        and sig.number == int(signal.SIGSTOP)
        and observation.state
        and observation.state not in "TtZXD"
    ):
        return Observation(observation.info, Fate.RESUMED, observation.state)
    return observation


def held_after(
    seen: Sequence[Observation],
    sig: SignalSpec,
    predictions: Mapping[int, Prediction],
    *,
    read: Callable[[ProcessInfo], Circumstances | None] = read_circumstances,
) -> dict[ProcessIdentity, Reason]:
    """Why the processes still there after a send are there, where /proc says.

    Read after the watch, so the words describe them as they are now: in
    uninterruptible sleep, stopped or traced, or zombies that were zombies
    already when the signal was chosen. A process that is gone, that this
    signal ended, or that is held by nothing but its masks gets no entry.

    Args:
        seen: What the watcher saw.
        sig: The signal sent.
        predictions: By pid, what the masks said before the send.
        read: Reads a process's circumstances (None: gone).

    Returns:
        The reasons, by process identity.
    """
    reasons: dict[ProcessIdentity, Reason] = {}
    for observation in seen:
        info = observation.info
        if observation.fate not in (Fate.RUNNING, Fate.EXITED):
            continue
        if observation.fate is Fate.EXITED and info.state not in ("Z", "X"):
            # Ended by this signal: its parent may reap it a moment later,
            # and "exited" is the whole story.
            continue
        found = read(info)
        if found is None:
            continue
        reason = why_still_there(found, sig, predictions.get(info.pid))
        if reason is not None:
            reasons[info.identity] = reason
    return reasons


def _fate(state: str | None, sig: SignalSpec, was: str | None) -> Fate | None:
    if state is None or state in "ZX":
        return Fate.EXITED
    if sig.number in _STOP_SIGNALS and state in "Tt":
        return Fate.STOPPED
    stopped_before = was is not None and was in ("T", "t")
    if sig.number == int(signal.SIGCONT) and state not in "Tt" and stopped_before:
        return Fate.CONTINUED
    return None


class Ending(Enum):
    """How an escalation ended."""

    BY_TERM = "ended by SIGTERM"
    BY_KILL = "ended by SIGKILL"
    GONE = "already gone"
    CANCELLED = "cancelled"
    SURVIVED = "survived SIGKILL"
    FAILED = "failed"


@dataclass(frozen=True)
class Escalation:
    """The result of ending a process gracefully.

    Attributes:
        ending: How it ended.
        message: A plain sentence.
        waited: Seconds waited after SIGTERM.
    """

    ending: Ending
    message: str
    waited: float = 0.0


def end_gracefully(
    info: ProcessInfo,
    grace: float,
    *,
    cancel: threading.Event | None = None,
    on_tick: Callable[[float], None] | None = None,
    syscalls: Syscalls | None = None,
) -> Escalation:
    """SIGTERM, wait up to ``grace`` seconds, then SIGKILL if it is still alive.

    Both signals go through one pidfd opened (and checked against the listed
    start time) before the first, so the SIGKILL can never hit a process that
    reused the pid meanwhile.

    Args:
        info: The process as listed.
        grace: Seconds to wait for it to exit after SIGTERM.
        cancel: Set it to stop waiting (SIGKILL is then not sent).
        on_tick: Called about ten times a second with the seconds left.
        syscalls: The system calls (a fake in tests).

    Returns:
        What happened.
    """
    sys_calls = syscalls or Syscalls()
    name = ProcessTarget(info).describe()  # the command name escaped for screen
    problem = process_refusal(info)
    if problem:
        return Escalation(Ending.FAILED, f"Not sent: {problem}.")
    if not sys_calls.has_pidfd:
        return Escalation(
            Ending.FAILED, "Ending gracefully needs pidfds (Linux 5.3 or later)."
        )
    waiter = cancel or threading.Event()
    try:
        fd = sys_calls.pidfd_open(info.pid)
    except ProcessLookupError:
        return Escalation(Ending.GONE, f"{name} had already exited; nothing was sent.")
    except OSError as err:
        return Escalation(Ending.FAILED, f"{name}: {err.strerror or err}.")
    try:
        if sys_calls.start_time(info.pid) != info.start_time:
            return Escalation(
                Ending.GONE, f"{name} had already exited (pid reused); nothing sent."
            )
        try:
            sys_calls.pidfd_send_signal(fd, int(signal.SIGTERM))
        except ProcessLookupError:
            return Escalation(Ending.GONE, f"{name} had already exited.")
        except PermissionError:
            return Escalation(
                Ending.FAILED,
                f"Permission denied: {name} belongs to {_owner(info.pid, info)}; "
                "nothing was sent.",
            )
        except OSError as err:
            return Escalation(Ending.FAILED, f"{name}: {err.strerror or err}.")
        started = time.monotonic()
        deadline = started + grace
        while True:
            left = deadline - time.monotonic()
            if sys_calls.wait_exit(fd, min(0.1, max(left, 0))):
                waited = time.monotonic() - started
                return Escalation(
                    Ending.BY_TERM,
                    f"{name} ended after SIGTERM ({waited:.1f} s).",
                    waited,
                )
            if left <= 0:
                break
            if on_tick is not None:
                on_tick(left)
            if waiter.is_set():
                return Escalation(
                    Ending.CANCELLED,
                    f"Cancelled: {name} got SIGTERM but no SIGKILL.",
                    time.monotonic() - started,
                )
        try:
            sys_calls.pidfd_send_signal(fd, int(signal.SIGKILL))
        except ProcessLookupError:
            return Escalation(Ending.BY_TERM, f"{name} ended after SIGTERM.", grace)
        except OSError as err:
            return Escalation(
                Ending.FAILED, f"SIGKILL not sent to {name}: {err.strerror or err}."
            )
        if sys_calls.wait_exit(fd, WATCH_SECONDS):
            return Escalation(
                Ending.BY_KILL,
                f"{name} ignored SIGTERM for {grace:g} s; SIGKILL ended it.",
                grace,
            )
        # The pidfd says it has not exited, so its pid still names it: /proc
        # tells why (most often uninterruptible sleep, naming the wait).
        why = after_kill(read_circumstances(info))
        return Escalation(
            Ending.SURVIVED,
            f"{name} is still there after SIGKILL: {why}.",
            grace,
        )
    finally:
        sys_calls.close(fd)
