"""Lesson 10, stop and continue: SIGSTOP, SIGCONT, SIGTSTP, SIGCONT."""

from __future__ import annotations

from sigtui.lessons.model import Kind, Launcher, Lesson, Step, seen


def spawn(launch: Launcher) -> None:
    """One ticker.

    Args:
        launch: Starts the programs.
    """
    launch.program("ticker", "ticker", "--tick", launch.tick)


LESSON = Lesson(
    10,
    "stop-continue",
    "Stop and continue",
    "A stopped process is frozen: it does nothing and uses no CPU until "
    "it gets SIGCONT. The STAT column shows T while it is stopped.",
    (
        Step(
            "Select the ticker and press z (SIGSTOP). STAT turns to T and "
            "the ticks stop.",
            "SIGSTOP stopped the ticker. It cannot be caught, so the ticker "
            "had no say.",
            seen(Kind.STOPPED, "SIGSTOP"),
        ),
        Step(
            "Press z again (SIGCONT).",
            "SIGCONT continued the ticker: the ticks go on.",
            seen(Kind.CONTINUED),
        ),
        Step(
            "Press k, type tstp, press enter. Ctrl-Z sends this signal.",
            "SIGTSTP stopped it too. Unlike SIGSTOP it can be caught: an "
            "editor catches it to tidy the screen before it stops.",
            seen(Kind.STOPPED, "SIGTSTP"),
        ),
        Step(
            "Press z (SIGCONT) once more.",
            "Continued again. A shell's fg and bg commands send SIGCONT the same way.",
            seen(Kind.CONTINUED),
        ),
    ),
    spawn,
    start_on="ticker",
)
