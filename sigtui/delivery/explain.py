"""Captions: what a send just did, and why, in plain words for a class.

After every send, projector mode shows one or two sentences such as "SIGTERM
asked demo (4242) to terminate. It had a handler, so it decided for itself: it
logged the signal and kept running." They join three things known at that
moment: the signal's default action, the prediction made from the target's
masks just before the send, and what the outcome watcher then saw.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from sigtui.delivery.send import SendResult
from sigtui.delivery.watch import Fate, Observation
from sigtui.signals import Action, SignalSpec
from sigtui.signals.predict import Outcome, Prediction
from sigtui.signals.survival import Hold, Reason

_ASKS = {
    Action.TERMINATE: "asked {who} to terminate",
    Action.CORE: "asked {who} to quit and leave a core dump",
    Action.STOP: "asked {who} to stop (pause)",
    Action.CONTINUE: "told {who} to continue",
    Action.IGNORE: "told {who} that something happened (by default it is ignored)",
}

_USER_DEFINED = frozenset({"SIGUSR1", "SIGUSR2"})

_FATE_WORDS = {
    Fate.EXITED: "ended",
    Fate.STOPPED: "stopped",
    Fate.RESUMED: "stopped and were continued at once by another process",
    Fate.CONTINUED: "continued",
    Fate.RUNNING: "still running",
}


def asks(sig: SignalSpec, who: str) -> str:
    """The first sentence: what the signal asks of its target.

    Args:
        sig: The signal.
        who: The target, as in "demo (4242)" or "process group 4150".

    Returns:
        A sentence.
    """
    if sig.probe:
        return (
            f"Signal 0 only checked that {who} exists and may be signalled; "
            "nothing was delivered."
        )
    if sig.name == "SIGKILL":
        return f"SIGKILL told the kernel to end {who} at once."
    if sig.name == "SIGSTOP":
        return f"SIGSTOP told the kernel to pause {who}."
    if sig.action is None:
        return f"{sig.name} was sent to {who}."
    if sig.name in _USER_DEFINED or sig.realtime:
        # "Asked to terminate" would mislead: these mean whatever the program
        # decides; ending it is only what happens without a handler.
        return (
            f"{sig.name} went to {who}. It has no fixed meaning: each program "
            "decides what it means, and by default it ends the process."
        )
    return f"{sig.name} {_ASKS[sig.action].format(who=who)}."


def why(
    sig: SignalSpec,
    fate: Fate,
    prediction: Prediction | None,
    *,
    instrumented: str | None = None,
    held: Reason | None = None,
) -> str:
    """The second sentence: what became of one process, and why.

    Args:
        sig: The signal sent.
        fate: What the watcher saw afterwards.
        prediction: What its masks said just before the send (None: unread).
        instrumented: For sigtui's own demo and lesson processes, what it was
            set to do with this signal (``catch``, ``hold``, ``ignore``,
            ``default``); None for any other process.
        held: What its state said afterwards, if that explains why it is
            still there (uninterruptible sleep, zombie, stopped, traced).

    Returns:
        A sentence.
    """
    if held is not None:
        zombie = held.hold is Hold.ZOMBIE
        # A zombie before the send: the signal did nothing. One the signal
        # just made ended the usual way (the sentences below say how).
        was_zombie = prediction is not None and prediction.outcome is Outcome.NOTHING
        if (zombie and was_zombie) or (not zombie and fate is Fate.RUNNING):
            return held.explanation
    outcome = prediction.outcome if prediction is not None else Outcome.UNKNOWN
    if instrumented is not None:
        outcome = {
            "catch": Outcome.CAUGHT,
            "hold": Outcome.PENDING,
            "ignore": Outcome.IGNORED,
            "default": Outcome.DEFAULT,
        }.get(instrumented, outcome)
        if not sig.catchable:
            outcome = Outcome.UNCATCHABLE
    name = sig.name
    if fate is Fate.EXITED:
        if outcome is Outcome.UNCATCHABLE:
            return f"No process can catch, block or ignore {name}, so it ended."
        if outcome is Outcome.CAUGHT:
            return "It had a handler, so it decided for itself: it chose to exit."
        if outcome is Outcome.UNKNOWN:
            return "It ended."
        return "It had no handler, so the default action happened: it ended."
    if fate is Fate.STOPPED:
        until = "it is stopped (T in STAT) until it gets SIGCONT"
        if outcome is Outcome.UNCATCHABLE:
            return f"No process can catch, block or ignore {name}: {until}."
        if outcome is Outcome.CAUGHT:
            return f"Its handler ran and then stopped it: {until}."
        return f"It had no handler, so the default action happened: {until}."
    if fate is Fate.RESUMED:
        return (
            "It stopped, but another process sent it SIGCONT at once (a parent "
            "such as a shell or tmux may do this), so it runs again (no T in STAT)."
        )
    if fate is Fate.CONTINUED:
        return "It had been stopped; now it runs again (no T in STAT)."
    return _still_running(sig, outcome, prediction, instrumented is not None)


def outcome_line(observation: Observation, held: Reason | None, masks: str = "") -> str:
    """What became of one process, for the log, after the pid and name.

    Args:
        observation: What the watcher saw.
        held: Why its state keeps it there, if it does.
        masks: Why its masks kept it running ("caught by its handler"), if read.

    Returns:
        For example "still there: it is in uninterruptible sleep (D) in
        anon_pipe_write, ..." or "still running (caught by its handler)".
    """
    fate = observation.fate
    if held is not None and held.hold is Hold.ZOMBIE:
        return held.summary
    if held is not None and fate is Fate.RUNNING:
        return f"still there: {held.summary}"
    if fate is Fate.RUNNING and observation.state in ("T", "t"):
        # Still stopped: the signal did not change that.
        return f"still stopped ({masks})" if masks else "still stopped"
    if fate is Fate.RUNNING and masks:
        return f"still running ({masks})"
    return fate.value


def _still_running(
    sig: SignalSpec,
    outcome: Outcome,
    prediction: Prediction | None,
    instrumented: bool,
) -> str:
    name = sig.name
    if outcome is Outcome.CAUGHT:
        did = (
            "it logged the signal and kept running"
            if instrumented
            else "its handler ran and it kept running"
        )
        return f"It had a handler, so it decided for itself: {did}."
    if outcome is Outcome.IGNORED:
        return f"It ignores {name}, so the kernel threw the signal away."
    if outcome is Outcome.PENDING:
        return f"It blocks {name}, so the signal waits, pending, until it is unblocked."
    if outcome is Outcome.MERGED:
        return (
            f"It blocks {name} and one was already pending; standard signals do "
            "not queue, so this one merged with it."
        )
    if outcome is Outcome.WAITS:
        return "It is stopped, so the signal waits until it gets SIGCONT."
    if outcome is Outcome.DEFAULT and sig.action is Action.IGNORE:
        return "Nothing handles it and its default is to be ignored: nothing happened."
    if outcome is Outcome.DEFAULT and sig.action is Action.CONTINUE:
        return "It was not stopped, so it simply went on running."
    if prediction is not None and outcome in (
        Outcome.NOTHING,
        Outcome.NOT_SIGNALABLE,
        Outcome.PROBE,
    ):
        return prediction.explanation
    return "It is still running."


def graceful_forecast(prediction: Prediction, grace: float) -> str:
    """What ``x`` (SIGTERM, then SIGKILL) will do, for its confirmation.

    Args:
        prediction: What SIGTERM will do, from the masks read just now.
        grace: Seconds ``x`` waits after SIGTERM before SIGKILL.

    Returns:
        For example "it ignores SIGTERM: SIGKILL will end it after 5 s".
    """
    kill = f"SIGKILL will end it after {grace:g} s"
    outcome = prediction.outcome
    if outcome is Outcome.IGNORED:
        return f"it ignores SIGTERM: {kill}"
    if outcome is Outcome.CAUGHT:
        return (
            "it has a handler for SIGTERM and may clean up and exit; if it is "
            f"still there after {grace:g} s, SIGKILL gives it no choice"
        )
    if outcome in (Outcome.PENDING, Outcome.MERGED):
        return f"it blocks SIGTERM, so the signal stays pending: {kill}"
    if outcome is Outcome.WAITS:
        return f"it is stopped, so SIGTERM waits for SIGCONT: {kill}"
    if outcome is Outcome.DEFAULT:
        return (
            "SIGTERM should end it (it has no handler); if it is still there "
            f"after {grace:g} s, SIGKILL ends it"
        )
    if outcome is Outcome.UNKNOWN:
        return (
            "its masks cannot be read: it may clean up on SIGTERM; after "
            f"{grace:g} s SIGKILL gives it no choice"
        )
    return prediction.explanation


def caption(
    sig: SignalSpec,
    who: str,
    results: Sequence[SendResult],
    seen: Sequence[Observation],
    predictions: Mapping[int, Prediction],
    instrumented: Mapping[int, str] | None = None,
    held: Mapping[int, Reason] | None = None,
) -> str:
    """Explain a whole send in at most three sentences.

    Args:
        sig: The signal sent.
        who: The target as the log names it.
        results: What sending returned, one per target process.
        seen: What the watcher saw afterwards (empty if nothing was reached).
        predictions: By pid, the predictions made just before the send.
        instrumented: By pid, what sigtui's own instrumented processes were
            set to do with this signal.
        held: By pid, why a process's state keeps it there, where it does.

    Returns:
        The caption.
    """
    instrumented = instrumented or {}
    held = held or {}
    failed = [r for r in results if not r.ok]
    if results and len(failed) == len(results):
        return f"{sig.name} did nothing to {who}. {failed[0].message}"
    first = asks(sig, who)
    if sig.probe or not seen:
        return first
    if len(seen) == 1:
        observation = seen[0]
        pid = observation.info.pid
        reason = why(
            sig,
            observation.fate,
            predictions.get(pid),
            instrumented=instrumented.get(pid),
            held=held.get(pid),
        )
        return f"{first} {reason}"
    counts = Counter(o.fate for o in seen)
    parts = [f"{n} {_FATE_WORDS[fate]}" for fate, n in counts.items()]
    text = f"{first} Of its {len(seen)} processes, {', '.join(parts)}."
    survivor = next((o for o in seen if o.fate is Fate.RUNNING), None)
    if survivor is not None:
        pid = survivor.info.pid
        reason = why(
            sig,
            Fate.RUNNING,
            predictions.get(pid),
            instrumented=instrumented.get(pid),
            held=held.get(pid),
        )
        text += f" Process {pid}: {reason[0].lower()}{reason[1:]}"
    if failed:
        text += f" {failed[0].message}"
    return text


__all__ = ["asks", "caption", "graceful_forecast", "outcome_line", "why"]
