"""Lesson 9, blocking signals: five SIGUSR1 merge, five SIGRTMIN queue.

The blocker cannot report a blocked signal's arrival, so this lesson counts
the sends the app tells it of.
"""

from __future__ import annotations

from collections.abc import Sequence

from sigtui.lessons.model import (
    Check,
    Context,
    Kind,
    Launcher,
    Lesson,
    Observation,
    Step,
    seen,
)
from sigtui.lessons.words import plural

COUNTED = ("SIGUSR1", "SIGRTMIN")
"""The signals the blocker blocks."""


def spawn(launch: Launcher) -> None:
    """The blocker.

    Args:
        launch: Starts the programs.
    """
    launch.program("blocker", "blocker")


def _sends(observations: Sequence[Observation], blocker: int, name: str) -> int:
    # Sent to the blocker, alone or with its group (its pgid is its pid).
    return sum(
        1
        for o in observations
        if o.kind is Kind.SENT and o.pid == blocker and o.signal == name
    )


def five_sent(name: str) -> Check:
    """Five of this signal sent to the blocker during this step.

    Args:
        name: The signal's name.

    Returns:
        The check.
    """

    def check(obs: Observation, context: Context) -> bool:
        blocker = context.pid_of("blocker")
        if obs.kind is not Kind.SENT or obs.pid != blocker or obs.signal != name:
            return False
        return _sends(context.since_step, blocker, name) >= 5

    return check


def counted_words(obs: Observation, context: Context) -> str | None:
    """The count, with the number of sends the app told of.

    Args:
        obs: The observation.
        context: The lesson.

    Returns:
        The line for a ``counted`` report, else None.
    """
    if obs.kind is not Kind.COUNTED:
        return None
    blocker = context.pid_of("blocker")
    got = obs.data.get("counts")
    parts = []
    for name in COUNTED:
        sent = _sends(context.history, blocker, name)
        n = got.get(name, 0) if isinstance(got, dict) else 0
        parts.append(f"{name} sent {plural(sent, 'time')}, arrived {plural(n, 'time')}")
    return f"{obs.label} took what was pending: " + "; ".join(parts)


LESSON = Lesson(
    9,
    "blocking",
    "Blocking signals",
    "A program can block a signal: it waits, pending, until the program "
    "takes it. This blocker blocks SIGUSR1, a standard signal, and "
    "SIGRTMIN, a real-time signal. Let us count what arrives.",
    (
        Step(
            "Select blocker, press k, type usr1, press enter. Do it five times.",
            "Nothing happened: SIGUSR1 is blocked, so it stays pending. "
            "The details panel (i) shows it.",
            five_sent("SIGUSR1"),
        ),
        Step(
            "Now send SIGRTMIN five times (k, type rtmin, enter).",
            "Each SIGRTMIN was kept in a queue: real-time signals are kept one by one.",
            five_sent("SIGRTMIN"),
        ),
        Step(
            "Send SIGUSR2: blocker then takes what is pending and counts.",
            "Five SIGUSR1 became one, five SIGRTMIN stayed five: pending "
            "standard signals merge, real-time signals queue.",
            seen(Kind.COUNTED),
        ),
    ),
    spawn,
    start_on="blocker",
    words=counted_words,
)
