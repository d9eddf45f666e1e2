"""Lesson 7, graceful shutdown: SIGTERM passed on, a file cleaned up, a child reaped."""

from __future__ import annotations

from sigtui.lessons.model import Check, Kind, Launcher, Lesson, Step, seen


def spawn(launch: Launcher) -> None:
    """The parent, which starts its child.

    Args:
        launch: Starts the programs.
    """
    launch.program("family", "parent", "--lesson", "graceful", "--role", "parent")


def reported_and_ended(report: Kind, role: str) -> Check:
    """A report seen and a process with this role ended, in either order.

    Reports and exits come from different threads, in either order, so the
    check looks at everything observed, whichever step was current.

    Args:
        report: The report's kind.
        role: Whose end.

    Returns:
        The check.
    """
    return lambda obs, context: (
        any(o.kind is report for o in context.history)
        and any(o.ends and o.name == role for o in context.history)
    )


LESSON = Lesson(
    7,
    "graceful",
    "Graceful shutdown",
    "A parent process started a child, and the child made a temporary "
    "file. Asked politely with SIGTERM, the parent passes the request "
    "on; the child removes its file and exits; the parent collects it.",
    (
        Step(
            "Select parent, press k, type term, press enter.",
            "The parent caught SIGTERM and, instead of just ending, sent "
            "SIGTERM on to its child.",
            seen(Kind.FORWARDED),
        ),
        Step(
            "Watch the log: the child cleans up and exits.",
            "The child's handler removed its temporary file and exited with "
            "status 0. SIGKILL would have left the file behind.",
            reported_and_ended(Kind.CLEANED, "child"),
        ),
        Step(
            "Watch the log: the parent reaps its child, then exits.",
            "The parent collected the child's exit status with waitpid "
            "(this is called reaping), then ended itself. Nothing is left.",
            reported_and_ended(Kind.REAPED, "parent"),
        ),
    ),
    spawn,
    ready=2,
    start_on="parent",
)
