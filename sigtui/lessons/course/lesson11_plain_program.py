"""Lesson 11, plain programs: what the kernel's trace sees in cat and sort.

``cat`` and ``nohup sort`` are ordinary programs: no handlers, no reports.
Every step is checked from the kernel's trace, so the lesson needs it.
"""

from __future__ import annotations

from sigtui.lessons.model import Launcher, Lesson, Step, traced


def spawn(launch: Launcher) -> None:
    """A plain cat, and a sort started by nohup (it ignores SIGHUP).

    Both read their standard input, the lifeline, until its end: they end
    when the lesson does, or when sigtui is gone.

    Args:
        launch: Starts the programs.
    """
    launch.plain("cat", ["cat"], named="cat")
    launch.plain("sort", ["nohup", "sort"], named="sort")


LESSON = Lesson(
    11,
    "plain-program",
    "Plain programs, seen by the kernel",
    "cat and sort are ordinary programs: they have no code for signals and "
    "report nothing. The kernel's trace still shows who sent each signal and "
    "what became of it. Needs tracing: run sigtui as root.",
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
            "stopped, with no code of its own for it.",
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
            "this is how sigtui can say who killed a process.",
            traced("SIGTERM", "killed", role="sort"),
        ),
    ),
    spawn,
    ready=0,
    start_on="sort",
    needs_tracing=True,
)
"""The lesson."""
