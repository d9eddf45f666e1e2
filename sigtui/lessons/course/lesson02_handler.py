"""Lesson 2, a signal handler: SIGUSR1 is caught, SIGTERM is not."""

from __future__ import annotations

from sigtui.lessons.model import Kind, Launcher, Lesson, Step, seen


def spawn(launch: Launcher) -> None:
    """One ticker with a handler for SIGUSR1.

    Args:
        launch: Starts the programs.
    """
    launch.program("ticker", "ticker", "--tick", launch.tick, "--greet-usr1")


LESSON = Lesson(
    2,
    "handler",
    "A signal handler",
    "This ticker has a handler for SIGUSR1: a function it runs when that "
    "signal arrives. A signal without a handler does its default action, "
    "which for most signals is to end the process.",
    (
        Step(
            "Select the ticker, press k, type usr1, press enter.",
            "The ticker's handler ran and greeted the class, and the ticks "
            "went on: a caught signal does not end the program.",
            seen(Kind.SAID, "SIGUSR1"),
        ),
        Step(
            "Now send SIGTERM: press k, type term, press enter.",
            "The ticker has no handler for SIGTERM, so the default action "
            "happened: the process ended.",
            seen(Kind.KILLED, "SIGTERM"),
        ),
    ),
    spawn,
    start_on="ticker",
)
