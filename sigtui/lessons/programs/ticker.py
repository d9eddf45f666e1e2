"""The ticker: counts one tick a period and reports each (lessons 1-4, 10).

Run as ``python -m sigtui.lessons.programs.ticker --name ticker ...``. Options
give it the behaviours the lessons need:

``--greet-usr1``
    a handler for SIGUSR1 that says hello (lesson 2);
``--ignore-hup``
    SIGHUP set to SIG_IGN, as nohup does (lesson 3);
``--catch-fpe``
    a handler for SIGFPE; at start it also tries to set handlers for SIGKILL
    and SIGSTOP and reports the kernel's refusal (lesson 4).

Its stdout is not used: ticks are reports (``tick`` with ``n`` and
``t_mono_ns``, CLOCK_MONOTONIC, comparable between processes).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from types import FrameType

from sigtui.lessons.programs import base

GREETING = "hello, class!"
"""What the SIGUSR1 handler says."""

FPE_WORDS = "no crash: I caught it, and I keep ticking"
"""What the SIGFPE handler says."""


def main(argv: list[str] | None = None) -> None:
    """Run the ticker until its lifeline ends or a signal ends it.

    Args:
        argv: The options (default: the command line).
    """
    options = base.parser("A ticker for sigtui's lessons.")
    options.add_argument("--tick", type=float, default=1.0)
    options.add_argument("--greet-usr1", action="store_true")
    options.add_argument("--ignore-hup", action="store_true")
    options.add_argument("--catch-fpe", action="store_true")
    args = options.parse_args(argv)
    program = base.Program(args.name, args.report_fd, args.lifeline_fd)

    def say(words: str) -> Callable[[int, FrameType | None], None]:
        def handler(signo: int, frame: FrameType | None) -> None:
            program.report("said", signal=signal.Signals(signo).name, words=words)

        return handler

    about = [f"ticks every {args.tick:g} s"]
    if args.ignore_hup:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        about.append("ignores SIGHUP, as nohup does")
    if args.greet_usr1:
        signal.signal(signal.SIGUSR1, say(GREETING))
        about.append("has a handler for SIGUSR1")
    if args.catch_fpe:
        signal.signal(signal.SIGFPE, say(FPE_WORDS))
        about.append("has a handler for SIGFPE")
        for uncatchable in (signal.SIGKILL, signal.SIGSTOP):
            try:
                signal.signal(uncatchable, say("caught"))
            except OSError as err:
                program.report(
                    "refused",
                    signal=uncatchable.name,
                    error=err.strerror or str(err),
                )
    program.report("ready", about="; ".join(about))
    count = 0
    next_tick = time.monotonic() + args.tick
    while True:
        now = time.monotonic()
        if now >= next_tick:
            count += 1
            program.report("tick", n=count, t_mono_ns=time.monotonic_ns())
            # After a stop, go on from now rather than catch up in a burst.
            next_tick = max(next_tick + args.tick, now + args.tick / 2)
            continue
        program.wait(next_tick - now)


if __name__ == "__main__":
    main()
