"""Lesson 6, ping-pong: two players signal their own group with kill(0, ...)."""

from __future__ import annotations

import os

from sigtui.lessons.model import Kind, Launcher, Lesson, Step, all_ended, seen


def spawn(launch: Launcher) -> None:
    """Ping in a new group, pong joining it.

    Args:
        launch: Starts the programs.
    """
    # kill(0, ...) must never reach sigtui's own group: the players check.
    common = ("--not-group", str(os.getpgrp()), "--pause", "0.015")
    ping = launch.program("player", "ping", "--role", "ping", "--group", "0", *common)
    launch.program(
        "player", "pong", "--role", "pong", "--group", str(ping), *common, group=ping
    )


LESSON = Lesson(
    6,
    "ping-pong",
    "Ping-pong",
    "Two players, ping and pong, share a process group. Each hits the "
    "ball by signalling its own group with kill(0, ...): ping sends "
    "SIGUSR1, which only pong catches; pong sends SIGUSR2, which only "
    "ping catches.",
    (
        Step(
            "Serve: select pong, press k, type usr1, press enter.",
            "pong caught SIGUSR1 and hit back with SIGUSR2 to the group. "
            "ping ignores SIGUSR1, so only pong reacted.",
            seen(Kind.HIT, role="pong"),
        ),
        Step(
            "Watch the rally in the log: a hundred rounds.",
            "Two hundred signals, each caught by exactly one player. "
            "kill(0, ...) sends to the sender's own process group.",
            seen(Kind.OVER),
        ),
        Step(
            "End the game: select a player, press g, type quit, press "
            "enter, then y (SIGQUIT to the group).",
            "One group send reached both players. They catch SIGQUIT and "
            "leave; without a handler it ends a program with a core dump.",
            all_ended,
        ),
    ),
    spawn,
    ready=2,
    start_on="pong",
)
