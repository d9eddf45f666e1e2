"""Lesson 8, reaping with SIGCHLD: five children end, fewer SIGCHLDs arrive."""

from __future__ import annotations

from sigtui.lessons.model import Context, Kind, Launcher, Lesson, Observation, Step


def spawn(launch: Launcher) -> None:
    """The parent, which starts five children.

    Args:
        launch: Starts the programs.
    """
    launch.program("family", "parent", "--lesson", "sigchld", "--role", "parent")


def all_zombies(obs: Observation, context: Context) -> bool:
    """The five children have all ended, unreaped.

    Args:
        obs: The observation.
        context: The lesson.

    Returns:
        Whether the step is done.
    """
    return obs.kind is Kind.ZOMBIES and bool(obs.data.get("all"))


def all_reaped(obs: Observation, context: Context) -> bool:
    """The parent's loop reaped all five.

    Args:
        obs: The observation.
        context: The lesson.

    Returns:
        Whether the step is done.
    """
    return obs.kind is Kind.SUMMARY and obs.data.get("children") == 5


LESSON = Lesson(
    8,
    "sigchld",
    "Reaping with SIGCHLD",
    "When a child ends, the kernel sends its parent SIGCHLD. But "
    "standard signals do not queue: five children ending at once can "
    "bring a single SIGCHLD, so a parent must collect them in a loop.",
    (
        Step(
            "Select parent, press k, type usr1, press enter: it tells its "
            "five children to exit, all at once.",
            "The five children ended. They stay in the table as zombies "
            "(Z, <defunct>) until their parent collects them; for now the "
            "parent has SIGCHLD blocked.",
            all_zombies,
        ),
        Step(
            "Send SIGUSR2 to parent: it takes its SIGCHLD and reaps.",
            "Five children ended but fewer SIGCHLDs arrived (the log has the "
            "count). The parent called waitpid with WNOHANG in a loop and "
            "collected all five.",
            all_reaped,
        ),
    ),
    spawn,
    ready=6,
    start_on="parent",
)
