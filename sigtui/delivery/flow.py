"""One send from start to end: predict, send, watch, explain, say why it survived.

The UI checks the safety rules and asks for confirmation; everything after
that is here, Textual-free, so that it can be tested with real processes and
no terminal. :meth:`SendFlow.run` blocks (it sends system calls and watches
the targets for a moment): call it from a worker thread. It reports twice:
once as soon as the signal is sent (:class:`Sent`, for the log and the
refresh) and once when the targets have been watched (:class:`SendReport`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sigtui.delivery.explain import caption, outcome_line
from sigtui.delivery.guards import Context
from sigtui.delivery.send import Sender, SendResult, Syscalls
from sigtui.delivery.targets import GroupTarget, ProcessTarget, Target
from sigtui.delivery.watch import (
    WATCH_SECONDS,
    Fate,
    Observation,
    held_after,
    watch,
)
from sigtui.processes import ProcessInfo
from sigtui.processes.format import display_escape
from sigtui.signals import SignalSpec, SignalState, predict
from sigtui.signals.predict import Prediction, as_reported

MAX_WATCH_LINES = 5
"""Outcome lines logged one by one; bigger groups get a count."""

StateReader = Callable[[ProcessInfo], SignalState]
"""Reads a process's signal masks."""

StateOf = Callable[[ProcessInfo], "str | None"]
"""Reads a process's state letter, None once it is gone."""


@dataclass(frozen=True)
class Instrumented:
    """The processes sigtui started and knows the signal handling of.

    Attributes:
        demo_pid: The demo child's pid, 0 when it is not running.
        demo_pgid: Its process group, 0 when it is not running.
        disposition: What the demo does with the signal being sent
            (``catch``, ``ignore``, ``default`` or ``hold``).
    """

    demo_pid: int = 0
    demo_pgid: int = 0
    disposition: str = "catch"


@dataclass(frozen=True)
class Sent:
    """What sending returned, before the targets are watched.

    Attributes:
        target: What was signalled.
        sig: The signal.
        results: One per target process.
        reached_demo: Whether the signal reached the demo child.
        started_ns: ``time.monotonic_ns()`` just before the send.
    """

    target: Target
    sig: SignalSpec
    results: tuple[SendResult, ...]
    reached_demo: bool
    started_ns: int

    @property
    def ok(self) -> bool:
        """Whether every target was signalled."""
        return all(r.ok for r in self.results)

    @property
    def log_lines(self) -> tuple[str, ...]:
        """One whole log line per result ("SIGTERM → process 7: delivered...")."""
        return tuple(f"{self.sig.name} → {r.target}: {r.message}" for r in self.results)


@dataclass(frozen=True)
class SendReport:
    """What one send did, for the log and the caption.

    Attributes:
        sent: What sending returned.
        seen: What the watcher saw afterwards (empty if nothing was reached).
        outcome_lines: The log lines for what became of the targets.
        caption: The send explained in at most three sentences.
    """

    sent: Sent
    seen: tuple[Observation, ...]
    outcome_lines: tuple[str, ...]
    caption: str


class SendFlow:
    """Sends signals and finds out what they did.

    Args:
        syscalls: The system calls to send with (a fake in tests).
        read_state: Reads a process's masks, for predictions and reasons.
        state_of: Reads a process's state, for watching outcomes.
        watch_seconds: How long to watch for an outcome before calling a
            target "still running" (an outcome ends the watch sooner).
    """

    def __init__(
        self,
        syscalls: Syscalls,
        read_state: StateReader,
        state_of: StateOf,
        watch_seconds: float = WATCH_SECONDS,
    ) -> None:
        self.syscalls = syscalls
        self.read_state = read_state
        self.state_of = state_of
        self.watch_seconds = watch_seconds

    def run(
        self,
        target: Target,
        sig: SignalSpec,
        context: Context,
        instrumented: Instrumented,
        on_sent: Callable[[Sent], None],
        before_send: Callable[[int], None] | None = None,
    ) -> SendReport:
        """Send ``sig`` to ``target``, watch what it does, and explain it.

        Blocks for the watch (well under a second): call from a thread.

        Args:
            target: What to signal (checked and confirmed already).
            sig: The signal.
            context: sigtui as the sender, built on the UI thread.
            instrumented: The demo's pid and what it does with ``sig``.
            on_sent: Called (on this thread) as soon as the signal is sent.
            before_send: Called (on this thread) with ``time.monotonic_ns()``
                just before the system calls, for what must be recorded
                before a receiver can report the signal (the demo's latency).

        Returns:
            The report.
        """
        demo_pid = instrumented.demo_pid
        # Each target's state just before the send: an outcome compares it
        # with the state after ("continued" only if it was stopped).
        before = {member.pid: self.state_of(member) for member in target.members}
        # What each target's masks (pending ones too) say just before the
        # send: the caption and the outcome lines explain the outcome by them
        # ("it had a handler, so..."); read afterwards, they would count the
        # signal just sent as one already pending.
        predictions: dict[int, Prediction] = {}
        for member in target.members[:MAX_WATCH_LINES]:
            now = before.get(member.pid)
            if now is not None and now != member.state:
                member = dataclasses.replace(member, state=now)
            with contextlib.suppress(OSError, ValueError):
                predictions[member.pid] = predict(
                    member, self._state(member, instrumented, sig), sig
                )
        who = target.describe()
        if (
            isinstance(target, ProcessTarget)
            and demo_pid
            and target.info.pid == demo_pid
        ):
            who = f"the demo ({demo_pid})"
        started = time.monotonic_ns()
        if before_send is not None:
            before_send(started)
        results = tuple(Sender(context, self.syscalls).send(target, sig))
        any_ok = any(r.ok for r in results)
        reached_demo = bool(demo_pid) and (
            any(r.ok and r.pid == demo_pid for r in results)
            or (
                isinstance(target, GroupTarget)
                and any_ok
                and any(m.pid == demo_pid for m in target.members)
            )
        )
        sent = Sent(
            target,
            sig,
            results,
            reached_demo,
            started,
        )
        on_sent(sent)
        by_demo = {demo_pid: instrumented.disposition} if demo_pid else {}
        reached = {r.pid for r in results if r.ok}
        if isinstance(target, GroupTarget) and any_ok:
            watched = list(target.members)
        else:
            watched = [m for m in target.members if m.pid in reached]
        if not watched:
            text = caption(sig, who, results, [], predictions, by_demo)
            return SendReport(sent, (), (), text)
        seen = watch(
            watched,
            sig,
            timeout=self.watch_seconds,
            state_of=self.state_of,
            before=before,
        )
        # Why the ones still there are there (D, zombie, stopped, traced).
        held = held_after(seen[:MAX_WATCH_LINES], sig, predictions)
        by_pid = {identity.pid: reason for identity, reason in held.items()}
        text = caption(sig, who, results, seen, predictions, by_demo, held=by_pid)
        lines = []
        for observation in seen[:MAX_WATCH_LINES]:
            info = observation.info
            reason = held.get(info.identity)
            masks = ""
            if observation.fate is Fate.RUNNING and reason is None:
                # Why a survivor survived comes from its masks as they were
                # just before the send (read now only if they were not).
                prediction = predictions.get(info.pid)
                masks = (
                    prediction.summary
                    if prediction is not None
                    else self.survived_because(info, sig)
                )
            what = outcome_line(observation, reason, masks)
            lines.append(f"process {info.pid} ({display_escape(info.comm)}): {what}")
        if len(seen) > MAX_WATCH_LINES:
            counts = Counter(o.fate.value for o in seen)
            lines.append(
                "group: " + ", ".join(f"{n} {fate}" for fate, n in counts.items())
            )
        return SendReport(sent, tuple(seen), tuple(lines), text)

    def _state(
        self, info: ProcessInfo, instrumented: Instrumented, sig: SignalSpec
    ) -> SignalState:
        """Its masks; for the demo, the masks its reported disposition means."""
        state = self.read_state(info)
        reported = self._as_instrumented(state, info, instrumented, sig)
        return state if reported is None else reported

    @staticmethod
    def _as_instrumented(
        state: SignalState | None,
        info: ProcessInfo,
        instrumented: Instrumented,
        sig: SignalSpec,
    ) -> SignalState | None:
        # The demo blocks what it catches (it dequeues with sigtimedwait), so
        # its own masks would predict "blocked: stays pending".
        if instrumented.demo_pid and info.pid == instrumented.demo_pid:
            return as_reported(state, {sig.number: instrumented.disposition})
        return state

    def forecast(
        self, info: ProcessInfo, sig: SignalSpec, instrumented: Instrumented
    ) -> Prediction:
        """What ``sig`` will do to a process, from its masks read now.

        Args:
            info: The process.
            sig: The signal.
            instrumented: The demo, whose reported disposition counts instead
                of its masks.

        Returns:
            The prediction (from the state letter alone if the masks cannot
            be read).
        """
        try:
            state: SignalState | None = self.read_state(info)
        except (OSError, ValueError):
            state = None
        return predict(info, self._as_instrumented(state, info, instrumented, sig), sig)

    def survived_because(self, info: ProcessInfo, sig: SignalSpec) -> str:
        """Why a process is still running after a signal, from its masks now.

        Args:
            info: The process.
            sig: The signal it got.

        Returns:
            The prediction's summary ("caught by its handler"), or "".
        """
        try:
            state = self.read_state(info)
        except (OSError, ValueError):
            return ""
        return predict(info, state, sig).summary
