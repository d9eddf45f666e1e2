"""The blocker for lesson 9: blocks SIGUSR1 and SIGRTMIN, then counts them.

Run as ``python -m sigtui.lessons.programs.blocker --name blocker ...``. It
blocks SIGUSR1 (a standard signal) and SIGRTMIN (a real-time one) before it
reports ready, so sends to it stay pending. On SIGUSR2 (caught by a handler)
it reports what ``/proc/self/status`` says is pending, then takes every
pending SIGUSR1 and SIGRTMIN with ``sigtimedwait`` (one ``received`` report
each, with the sender's pid) and reports the counts. The signals stay
blocked, so the class can try again.
"""

from __future__ import annotations

import signal
from types import FrameType

from sigtui.lessons.programs import base

HELD = (signal.SIGUSR1, signal.SIGRTMIN)
"""The blocked signals."""


def name(signo: int) -> str:
    """Name a signal (``SIGRTMIN`` for the first real-time one).

    Args:
        signo: Its number.

    Returns:
        Its name.
    """
    if signo == signal.SIGRTMIN:
        return "SIGRTMIN"
    try:
        return signal.Signals(signo).name
    except ValueError:
        return str(signo)


def pending() -> list[str]:
    """The signals /proc says are pending for this process (any thread).

    Returns:
        Their names, lowest number first.
    """
    mask = 0
    try:
        with open("/proc/self/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("SigPnd", "ShdPnd"):
                    mask |= int(value.strip(), 16)
    except (OSError, ValueError):
        return []
    return [name(bit + 1) for bit in range(64) if mask >> bit & 1]


def main(argv: list[str] | None = None) -> None:
    """Block, wait for SIGUSR2, count; until the lifeline ends.

    Args:
        argv: The options (default: the command line).
    """
    options = base.parser("The blocker of sigtui's lesson 9.")
    args = options.parse_args(argv)
    signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    program = base.Program(args.name, args.report_fd, args.lifeline_fd)
    asked = 0

    def on_usr2(signo: int, frame: FrameType | None) -> None:
        nonlocal asked
        asked += 1

    signal.signal(signal.SIGUSR2, on_usr2)
    program.report("ready", about="blocks SIGUSR1 and SIGRTMIN; counts on SIGUSR2")
    done = 0
    while True:
        if done == asked:
            program.wait(None)
            continue
        done = asked
        program.report("pending", signals=pending())
        counts = {name(signo): 0 for signo in HELD}
        while (info := signal.sigtimedwait(HELD, 0)) is not None:
            counts[name(info.si_signo)] += 1
            program.report("received", signal=name(info.si_signo), si_pid=info.si_pid)
        program.report("counted", counts=counts)


if __name__ == "__main__":
    main()
