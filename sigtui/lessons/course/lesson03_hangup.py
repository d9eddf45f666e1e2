"""Lesson 3, hangup and nohup: an ignored SIGHUP, and one that ends a ticker."""

from __future__ import annotations

from sigtui.lessons.model import Context, Kind, Launcher, Lesson, Observation, Step

NOHUP = "nohup-ticker"
"""The ticker that ignores SIGHUP."""


def spawn(launch: Launcher) -> None:
    """Two tickers, one with SIGHUP ignored.

    Args:
        launch: Starts the programs.
    """
    launch.program("ticker", NOHUP, "--tick", launch.tick, "--ignore-hup")
    launch.program("ticker", "ticker", "--tick", launch.tick)


def ticks_after_hup(obs: Observation, context: Context) -> bool:
    """The nohup ticker ticked after a SIGHUP was sent to it: it survived.

    SIG_IGN: the program never sees the signal, so only its next tick can
    show it survived (CLOCK_MONOTONIC is the same in every process).

    Args:
        obs: The observation.
        context: The lesson.

    Returns:
        Whether the step is done.
    """
    nohup = context.pid_of(NOHUP)
    if obs.kind is not Kind.TICK or obs.pid != nohup:
        return False
    sends = [
        o.data["t_mono_ns"]
        for o in context.since_step
        if o.kind is Kind.SENT and o.signal == "SIGHUP" and o.pid == nohup
    ]
    return bool(sends) and sends[-1] < int(obs.data.get("t_mono_ns", 0))


def other_ended_by_hup(obs: Observation, context: Context) -> bool:
    """SIGHUP's default action ended the ticker without the ignore.

    Args:
        obs: The observation.
        context: The lesson.

    Returns:
        Whether the step is done.
    """
    return (
        obs.kind is Kind.KILLED
        and obs.signal == "SIGHUP"
        and obs.pid != context.pid_of(NOHUP)
    )


LESSON = Lesson(
    3,
    "hangup",
    "Hangup and nohup",
    "SIGHUP means 'your terminal has gone away'; by default it ends a "
    "process. nohup starts a program with SIGHUP ignored, so it survives. "
    "There are two tickers: nohup-ticker ignores SIGHUP, ticker does not.",
    (
        Step(
            "Select nohup-ticker, press k, type hup, press enter. Watch the "
            "log: it keeps ticking.",
            "The kernel threw the ignored signal away: the program never "
            "even saw it. That is all nohup does.",
            ticks_after_hup,
        ),
        Step(
            "Now send SIGHUP to ticker, the same way.",
            "Without the ignore, SIGHUP's default action ended the ticker. "
            "This is what happens to your programs when you close a terminal.",
            other_ended_by_hup,
        ),
    ),
    spawn,
    ready=2,
    start_on=NOHUP,
)
