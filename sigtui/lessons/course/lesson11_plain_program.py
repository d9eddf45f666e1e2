"""Lesson 11, plain programs: what the kernel's trace sees in cat and sort.

``cat`` and ``nohup sort`` are ordinary programs that report nothing to
sigtui. Every step is checked from the kernel's trace, so the lesson needs it.
"""

from __future__ import annotations

from sigtui.lessons.model import (
    Context,
    Launcher,
    Lesson,
    Observation,
    Step,
    ended_too_soon,
    traced,
)

ENDINGS = {("cat", "SIGHUP"), ("sort", "SIGTERM")}
"""The ends the steps ask for: (role, signal)."""


def spawn(launch: Launcher) -> None:
    """A plain cat, and a sort started by nohup (it ignores SIGHUP).

    Both read their standard input, the lifeline, until its end: they end
    when the lesson does, or when sigtui is gone.

    Args:
        launch: Starts the programs.
    """
    launch.plain("cat", ["cat"], named="cat")
    launch.plain("sort", ["nohup", "sort"], named="sort")


def sorted_out(obs: Observation, context: Context) -> bool:
    """The trace saw sort take SIGTERM: caught by its handler, or killed by it.

    GNU sort catches SIGTERM to remove its temporary files, then sends it to
    itself again so that the default action ends it; another sort may not.

    Args:
        obs: The observation.
        context: The lesson.

    Returns:
        Whether the step is done.
    """
    return traced("SIGTERM", "caught", role="sort")(obs, context) or traced(
        "SIGTERM", "killed", role="sort"
    )(obs, context)


def ended_early(obs: Observation, context: Context) -> str | None:
    """The usual hint, but not for the ends the steps ask for.

    The supervisor sees an end before the trace's record of the signal
    arrives (the trace comes in batches), so the end a step asks for comes
    first and completes nothing yet.

    Args:
        obs: An observation that completed no step.
        context: The lesson.

    Returns:
        The hint, or None.
    """
    if (obs.name, obs.signal) in ENDINGS:
        return None
    return ended_too_soon(obs, context)


LESSON = Lesson(
    11,
    "plain-program",
    "Plain programs, seen by the kernel",
    "cat and sort are ordinary programs: they report nothing to sigtui. "
    "The kernel's trace still shows who sent each signal and what became "
    "of it. Needs tracing: run sigtui as root.",
    (
        Step(
            "Select sort, press k, type hup, press enter (SIGHUP).",
            "sort was started with nohup, which set SIGHUP to ignored and "
            "then ran sort. The kernel threw the signal away and sort never "
            "knew: only the trace can show that it arrived.",
            traced("SIGHUP", "ignored", role="sort"),
        ),
        Step(
            "Select cat and press z (SIGSTOP). STAT turns to T.",
            "The trace shows SIGSTOP taken with its default action: cat "
            "stopped. cat has no code for signals, and none can catch SIGSTOP.",
            traced("SIGSTOP", "stopped", role="cat"),
        ),
        Step(
            "Press z again (SIGCONT).",
            "SIGCONT continued cat; the trace says who sent it.",
            traced("SIGCONT", "continued", role="cat"),
        ),
        Step(
            "Send SIGHUP to cat too: press k, type hup, press enter.",
            "Nothing set SIGHUP to ignored for cat, so its default action "
            "ended it. The same signal, the same kind of program: only the "
            "disposition each one inherited differs.",
            traced("SIGHUP", "killed", role="cat"),
        ),
        Step(
            "End sort from a second terminal: kill PID, with sort's pid from "
            "the log (or press k, type term, press enter).",
            "The trace named the process that sent SIGTERM, whoever it was: "
            "this is how sigtui can say who killed a process. If the log shows "
            "it caught by a handler, then a SIGTERM from sort itself, sort "
            "tidied up in its handler and then let the default action end it.",
            sorted_out,
        ),
    ),
    spawn,
    ready=0,
    start_on="sort",
    hint=ended_early,
    needs_tracing=True,
)
"""The lesson."""
