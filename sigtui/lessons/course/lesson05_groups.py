"""Lesson 5, process groups: a shell script and its two sleeps, one group send."""

from __future__ import annotations

from pathlib import Path

from sigtui.lessons.model import (
    Context,
    Launcher,
    Lesson,
    Observation,
    Step,
    all_ended,
    selected,
)

SCRIPT = Path(__file__).parent.parent / "programs" / "groups.sh"
"""The shell script."""


def spawn(launch: Launcher) -> None:
    """The script, which starts two sleeps in its group.

    Args:
        launch: Starts the programs.
    """
    launch.script("sh", SCRIPT)


def sleeps_left(obs: Observation, context: Context) -> str | None:
    """The hint when the script ended alone: its sleeps still run.

    Args:
        obs: An observation that completed no step.
        context: The lesson.

    Returns:
        The hint, or None.
    """
    sleeps = sorted(context.processes)
    if obs.ends and obs.name == "sh" and sleeps:
        listed = " and ".join(str(pid) for pid in sleeps)
        return (
            f"sh ({obs.pid}) has ended, but its sleeps ({listed}) still run: "
            "a signal to one process does not reach its children. Select a "
            "sleep and press g to signal what is left of the group."
        )
    return None


LESSON = Lesson(
    5,
    "groups",
    "Process groups",
    "A shell script (sh) started two sleep commands. All three share one "
    "process group, shown in the PGID column. A signal sent to the group "
    "reaches every member: that is how Ctrl-C ends a whole pipeline.",
    (
        Step(
            "Select sh, the shell script: its two sleeps have the same PGID.",
            "The group's number is the pid of the process that made the "
            "group, here the script. sigtui highlights every row of the "
            "selected process's group.",
            selected("sh"),
        ),
        Step(
            "Press g, type term, press enter, then y: one SIGTERM to the "
            "whole group (sigtui always asks before a group send).",
            "One send ended all three processes. Sent to the script alone, "
            "SIGTERM would have left its two sleeps running.",
            all_ended,
        ),
    ),
    spawn,
    # Beside sh, in its group: selecting sh is the first step.
    start_on="sleep",
    hint=sleeps_left,
)
