"""Predict what a signal will do to a process, from its state and masks.

The rules follow the kernel (``kernel/signal.c``): a blocked signal is never
discarded, even if ignored, because the handler may change before it is
unblocked; a standard signal already pending for the process is merged with
the new one (one pending for a single thread only is not: ``kill()`` makes a
process-wide signal, kept apart), while realtime signals queue; SIGKILL and
SIGSTOP cannot be caught, blocked or ignored; a stopped process acts only on
SIGKILL and SIGCONT, and discards at once what it ignores (explicitly, or by
default as SIGCHLD); init (pid 1) gets only the signals it has a handler for,
though it too keeps blocked ones pending; kernel threads drop signals sent
from user space; a zombie has already exited, unless other threads of it still
run (its main thread called ``pthread_exit``).
"""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from sigtui.processes import ProcessInfo
from sigtui.signals.catalog import Action, SignalSpec
from sigtui.signals.state import SignalState

_STOPPED_STATES = frozenset("Tt")
_DEAD_STATES = frozenset("ZX")


class Outcome(Enum):
    """The kind of thing that will happen."""

    DEFAULT = "default"
    """No handler: the default action happens."""
    UNCATCHABLE = "uncatchable"
    """SIGKILL or SIGSTOP: the default action happens, whatever the process says."""
    CAUGHT = "caught"
    """The process's handler runs."""
    IGNORED = "ignored"
    """The kernel discards it."""
    PENDING = "pending"
    """Blocked: it waits until the process unblocks it."""
    MERGED = "merged"
    """Blocked, and the same standard signal is already pending: merged with it."""
    WAITS = "waits"
    """The process is stopped: it waits for SIGCONT."""
    NOTHING = "nothing"
    """Nothing happens (a zombie, or a stop to a stopped process)."""
    NOT_SIGNALABLE = "not-signalable"
    """A kernel thread: signals from user space are dropped."""
    PROBE = "probe"
    """Signal 0: nothing is delivered; only existence and permission are checked."""
    UNKNOWN = "unknown"
    """The masks could not be read."""


@dataclass(frozen=True)
class Prediction:
    """What one signal will do to one process.

    Attributes:
        outcome: The kind of outcome.
        summary: A few words for a table column ("caught by its handler").
        explanation: A full sentence for a student.
    """

    outcome: Outcome
    summary: str
    explanation: str


_UNCATCHABLE = frozenset({int(signal.SIGKILL), int(signal.SIGSTOP)})

DISPOSITIONS = ("catch", "ignore", "default", "hold")
"""What an instrumented process (the demo) reports doing with a signal."""


def as_reported(
    state: SignalState | None,
    dispositions: Mapping[int, str],
    *,
    others: str | None = None,
) -> SignalState:
    """The masks that say what a process reports doing with its signals.

    The demo blocks every signal it catches and dequeues it with
    ``sigtimedwait``: its masks say "blocked" although it catches. Its
    reported dispositions are the truth; this turns them into the masks a
    process doing the same with handlers would have, so that
    :func:`predict` tells what will really happen. Pending signals are kept.

    Args:
        state: Its masks as /proc shows them (None: unread).
        dispositions: By signal number, ``catch`` (a handler), ``hold``
            (blocked, left pending), ``ignore`` (SIG_IGN) or ``default``
            (SIG_DFL, not blocked).
        others: The disposition of every other catchable signal (the demo
            catches what it was not told otherwise), or None to keep what
            the masks say of them.

    Returns:
        The masks it behaves as if it had.
    """
    state = state or SignalState()
    blocked, ignored, caught = (
        set(state.blocked),
        set(state.ignored),
        set(state.caught),
    )
    chosen = dict(dispositions)
    if others is not None:
        for valid in signal.valid_signals():
            chosen.setdefault(int(valid), others)
    for number, disposition in chosen.items():
        if number in _UNCATCHABLE or disposition not in DISPOSITIONS:
            continue
        for mask in (blocked, ignored, caught):
            mask.discard(number)
        if disposition == "catch":
            caught.add(number)
        elif disposition == "hold":
            blocked.add(number)
        elif disposition == "ignore":
            ignored.add(number)
    return replace(
        state,
        blocked=frozenset(blocked),
        ignored=frozenset(ignored),
        caught=frozenset(caught),
    )


def predict(
    target: ProcessInfo, state: SignalState | None, sig: SignalSpec
) -> Prediction:
    """Predict what sending ``sig`` to ``target`` will do.

    Args:
        target: The process, as last scanned.
        state: Its decoded signal masks, or None if they could not be read.
        sig: The signal.

    Returns:
        The prediction.
    """
    number = sig.number
    name = sig.name
    if sig.probe:
        return Prediction(
            Outcome.PROBE,
            "probe only",
            "Signal 0 delivers nothing: it only checks that the process exists "
            "and that you may signal it.",
        )
    if target.kernel_thread:
        return Prediction(
            Outcome.NOT_SIGNALABLE,
            "not signalable (kernel thread)",
            "This is a kernel thread: the kernel drops signals sent to it from "
            "user space.",
        )
    if target.state in _DEAD_STATES and target.num_threads <= 1:
        return Prediction(
            Outcome.NOTHING,
            "nothing (zombie)",
            "The process has already exited; it is a zombie waiting for its "
            "parent to collect its exit status, so no signal can affect it.",
        )
    if state is None:
        verb = sig.action.verb if sig.action else "unknown"
        return Prediction(
            Outcome.UNKNOWN,
            f"? (default: {verb})",
            f"Its signal masks cannot be read, so whether it handles {name} is "
            f"unknown; with no handler, the default is: {verb}.",
        )
    blocked = number in state.blocked
    if target.pid == 1:
        if blocked:
            return _blocked(sig, state)
        if number in state.caught:
            return _caught(name)
        return Prediction(
            Outcome.IGNORED,
            "ignored (init)",
            f"Process 1 (init) only receives signals it has a handler for, and it "
            f"has none for {name}: the kernel discards it.",
        )
    stopped = target.state in _STOPPED_STATES
    if number == int(signal.SIGKILL):
        return Prediction(
            Outcome.UNCATCHABLE,
            "terminates (cannot be caught)",
            "SIGKILL cannot be caught, blocked or ignored: the process ends at "
            "once, without a chance to clean up.",
        )
    if number == int(signal.SIGSTOP):
        if stopped:
            return Prediction(
                Outcome.NOTHING, "nothing (already stopped)", "It is already stopped."
            )
        return Prediction(
            Outcome.UNCATCHABLE,
            "stops (cannot be caught)",
            "SIGSTOP cannot be caught, blocked or ignored: the process is paused "
            "until it gets SIGCONT.",
        )
    if number == int(signal.SIGCONT) and stopped:
        if number not in state.caught:
            extra, more = "", ""
        elif blocked:
            extra = ", handler pending"
            more = "; its handler runs once it unblocks SIGCONT"
        else:
            extra, more = " and its handler runs", "; it also has a handler, which runs"
        return Prediction(
            Outcome.DEFAULT,
            f"continues{extra}",
            "SIGCONT always resumes a stopped process, whatever its handler or "
            f"mask say{more}.",
        )
    if stopped and not _discarded(sig, state):
        return Prediction(
            Outcome.WAITS,
            "waits for SIGCONT (stopped)",
            f"The process is stopped: {name} stays pending and takes effect only "
            "after SIGCONT resumes it (SIGKILL is the exception).",
        )
    if blocked:
        return _blocked(sig, state)
    if number in state.ignored:
        return Prediction(
            Outcome.IGNORED,
            "ignored",
            f"It ignores {name} (SIG_IGN): the kernel discards the signal.",
        )
    if number in state.caught:
        return _caught(name)
    if number == int(signal.SIGCONT):
        return Prediction(
            Outcome.NOTHING,
            "nothing (not stopped)",
            "SIGCONT resumes stopped processes; this one is running already.",
        )
    action = sig.action or Action.TERMINATE
    if action is Action.IGNORE:
        return Prediction(
            Outcome.IGNORED,
            "nothing (ignored by default)",
            f"It has no handler for {name}, whose default action is to ignore it.",
        )
    return Prediction(
        Outcome.DEFAULT,
        action.verb,
        f"It has no handler for {name}, so the default action happens: it "
        f"{action.verb}.",
    )


def _discarded(sig: SignalSpec, state: SignalState) -> bool:
    """Whether the kernel drops the signal as it is sent (``sig_ignored()``).

    That is when it is not blocked and either ignored (SIG_IGN) or, with no
    handler, ignored by default (SIGCHLD, SIGURG, SIGWINCH): even for a
    stopped process, which does not keep these pending.
    """
    number = sig.number
    if number in state.blocked:
        return False
    if number in state.ignored:
        return True
    return number not in state.caught and sig.action is Action.IGNORE


def _blocked(sig: SignalSpec, state: SignalState) -> Prediction:
    name = sig.name
    if not sig.realtime and sig.number in state.shared_pending:
        return Prediction(
            Outcome.MERGED,
            "blocked: merges with pending",
            f"It blocks {name} and one is already pending: standard signals "
            "do not queue, so this one merges with it.",
        )
    return Prediction(
        Outcome.PENDING,
        "blocked: stays pending",
        f"It blocks {name}: the signal stays pending until the process "
        "unblocks it (realtime signals queue, standard ones merge).",
    )


def _caught(name: str) -> Prediction:
    return Prediction(
        Outcome.CAUGHT,
        "caught by its handler",
        f"It has a handler for {name}: its own code decides what to do.",
    )


def summarize(predictions: Sequence[Prediction]) -> str:
    """Summarise the predictions for the members of a group in a few words.

    Args:
        predictions: One per member.

    Returns:
        The common summary, or short counts such as ``2 terminates, 1 caught``,
        most common first, so the text stays narrow enough for a table.
    """
    if not predictions:
        return "no members"
    counts = Counter(p.summary for p in predictions)
    if len(counts) == 1:
        (summary,) = counts
        return (
            summary if len(predictions) == 1 else f"all {len(predictions)}: {summary}"
        )
    labels = Counter(_label(p) for p in predictions)
    return ", ".join(f"{n} {label}" for label, n in labels.most_common())


_LABELS = {
    Outcome.CAUGHT: "caught",
    Outcome.IGNORED: "ignored",
    Outcome.PENDING: "pending",
    Outcome.MERGED: "merged",
    Outcome.WAITS: "wait for SIGCONT",
    Outcome.NOT_SIGNALABLE: "not signalable",
    Outcome.PROBE: "probed",
    Outcome.UNKNOWN: "unknown",
}


def _label(prediction: Prediction) -> str:
    """A word or two for a prediction, for the mixed-group summary."""
    label = _LABELS.get(prediction.outcome)
    if label is None:
        # "terminates (cannot be caught)" -> "terminates"; "nothing (zombie)" stays
        # distinguishable as "nothing".
        label = prediction.summary.split(" (")[0]
    return label
