"""Lesson 1, first kill: find the ticker, end it with SIGKILL."""

from __future__ import annotations

from sigtui.lessons.model import Kind, Launcher, Lesson, Step, seen, selected


def spawn(launch: Launcher) -> None:
    """One ticker.

    Args:
        launch: Starts the programs.
    """
    launch.program("ticker", "ticker", "--tick", launch.tick)


LESSON = Lesson(
    1,
    "first-kill",
    "First kill",
    "A program called ticker counts, one tick a second. Find it in the "
    "table and end it with SIGKILL, the signal no program can refuse.",
    (
        Step(
            "Find the ticker: press / and type ticker, press enter, then "
            "put the cursor on its row.",
            "Every process has a number, its pid. The cursor stays on this "
            "process even when the table changes.",
            selected("ticker"),
        ),
        Step(
            "End it: press k, type kill, press enter. This sends SIGKILL.",
            "SIGKILL ended the ticker at once. The kernel does it: the "
            "program gets no chance to react or to clean up.",
            seen(Kind.KILLED, "SIGKILL"),
        ),
    ),
    spawn,
    # Finding the ticker is the first step: the cursor is left alone.
    start_on=None,
)
