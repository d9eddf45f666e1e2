"""Lesson 4, what cannot be caught: SIGFPE is, SIGSTOP and SIGKILL never."""

from __future__ import annotations

from sigtui.lessons.model import Kind, Launcher, Lesson, Step, seen


def spawn(launch: Launcher) -> None:
    """One ticker that catches SIGFPE (and tries SIGKILL and SIGSTOP).

    Args:
        launch: Starts the programs.
    """
    launch.program("ticker", "ticker", "--tick", launch.tick, "--catch-fpe")


LESSON = Lesson(
    4,
    "uncatchable",
    "What cannot be caught",
    "A program can catch most signals, even SIGFPE (arithmetic error). "
    "SIGKILL and SIGSTOP can never be caught: this ticker tried to catch "
    "them when it started and the kernel refused, as the log shows.",
    (
        Step(
            "Select the ticker, press k, type fpe, press enter.",
            "Its handler caught SIGFPE and it kept ticking. Without a "
            "handler, SIGFPE would have ended it with a core dump.",
            seen(Kind.SAID, "SIGFPE"),
        ),
        Step(
            "Press k, type stop, press enter (SIGSTOP). STAT turns to T.",
            "The ticker stopped. It had asked to catch SIGSTOP, but no "
            "program can: the kernel stops it anyway.",
            seen(Kind.STOPPED, "SIGSTOP"),
        ),
        Step(
            "Press z to continue it (SIGCONT).",
            "SIGCONT woke the ticker up and the ticks go on.",
            seen(Kind.CONTINUED),
        ),
        Step(
            "Press k, type hup, press enter (SIGHUP).",
            "It catches SIGFPE only, so SIGHUP's default action ended it. "
            "Catching one signal does not protect against the others.",
            seen(Kind.KILLED, "SIGHUP"),
        ),
    ),
    spawn,
    start_on="ticker",
)
