"""A ping-pong player for lesson 6: hits the ball with ``kill(0, signal)``.

Run as ``python -m sigtui.lessons.programs.player --name ping --role ping``.
Two players share a process group. ``ping`` ignores SIGUSR1 and catches
SIGUSR2; ``pong`` the reverse. When a player catches its signal it waits a
moment (so a class can watch), reports the hit and sends its own signal to its
whole group with ``kill(0, ...)``: the other player catches it, and the sender
itself ignores it. After ``--rounds`` rounds ping reports the end of the rally
instead of hitting back. Both catch SIGQUIT, report it and exit with status 0
(the default action would dump core; RLIMIT_CORE is 0 as well, in case).

``kill(0, ...)`` signals the caller's whole group, so before every hit the
player checks that it is where the run put it: in the group given by
``--group`` (0: a group of its own, whose number is its pid) and not in the
run's group ``--not-group``. Anywhere else it refuses and exits with status 2.
"""

from __future__ import annotations

import os
import resource
import signal
from types import FrameType

from sigtui.lessons.programs import base

ROLES = {
    "ping": (signal.SIGUSR2, signal.SIGUSR1),
    "pong": (signal.SIGUSR1, signal.SIGUSR2),
}
"""Per role: the signal it catches, the signal it hits (and ignores)."""


def main(argv: list[str] | None = None) -> None:
    """Play until the lifeline ends or SIGQUIT arrives.

    Args:
        argv: The options (default: the command line).
    """
    options = base.parser("A ping-pong player for sigtui's lessons.")
    options.add_argument("--role", choices=sorted(ROLES), required=True)
    options.add_argument("--group", type=int, required=True)
    options.add_argument("--not-group", type=int, required=True)
    options.add_argument("--rounds", type=int, default=100)
    options.add_argument("--pause", type=float, default=0.015)
    args = options.parse_args(argv)
    program = base.Program(args.name, args.report_fd, args.lifeline_fd)
    catches, hits = ROLES[args.role]
    expected = args.group or os.getpid()

    def in_own_group() -> bool:
        group = os.getpgrp()
        return group == expected and group != args.not_group

    if not in_own_group():
        program.report(
            "error",
            message=f"not in process group {expected}: refusing to use kill(0, ...)",
        )
        program.exit(2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    caught = 0
    quitting = False

    def on_ball(signo: int, frame: FrameType | None) -> None:
        nonlocal caught
        caught += 1

    def on_quit(signo: int, frame: FrameType | None) -> None:
        nonlocal quitting
        quitting = True

    signal.signal(hits, signal.SIG_IGN)
    signal.signal(catches, on_ball)
    signal.signal(signal.SIGQUIT, on_quit)
    program.report("ready", about=f"catches {catches.name}, hits with {hits.name}")
    handled = 0
    while True:
        if quitting:
            program.report("quit", signal="SIGQUIT")
            program.exit(0)
        if handled == caught:
            program.wait(None)
            continue
        handled += 1
        if args.role == "ping" and handled >= args.rounds:
            program.report("over", rounds=handled)
            continue
        program.pause(args.pause)
        if quitting:
            continue
        if not in_own_group():
            program.report("error", message="left its process group: game over")
            program.exit(2)
        round_ = handled if args.role == "pong" else handled + 1
        program.report("hit", signal=hits.name, group=os.getpgrp(), round=round_)
        os.kill(0, hits)


if __name__ == "__main__":
    main()
