"""The demo child's command line, checked before it starts anything.

Standard library only, like the child.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """The command line, checked.

    Attributes:
        report_fd: Where JSON lines go (stdout unless given).
        control_fd: Where control lines come from, if anywhere.
        lifeline_fd: The fd whose end of file means "exit", if any.
        members: How many member processes to fork.
        tick: The heartbeat period in seconds.
        human: Readable lines on stdout instead of JSON.
    """

    report_fd: int
    control_fd: int | None
    lifeline_fd: int | None
    members: int
    tick: float
    human: bool


def _fd(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"not a file descriptor: {text}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 64:
        raise argparse.ArgumentTypeError(f"members must be 0..64, not {text}")
    return value


def _period(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or not 0.01 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"tick must be 0.01..3600 s, not {text}")
    return value


def parse_options(argv: Sequence[str]) -> Options:
    """Parse the command line; exit with status 2 on a bad one.

    Args:
        argv: The arguments, without the program name.

    Returns:
        The options.
    """
    parser = argparse.ArgumentParser(
        prog="python -m sigtui.demo.child",
        description="The sigtui demo child: logs every signal it receives.",
    )
    parser.add_argument("--report-fd", type=_fd, help="write JSON lines here")
    parser.add_argument("--control-fd", type=_fd, help="read control lines here")
    parser.add_argument("--lifeline-fd", type=_fd, help="exit at its end of file")
    parser.add_argument("--members", type=_count, default=2, help="member processes")
    parser.add_argument("--tick", type=_period, default=1.0, help="heartbeat (s)")
    parser.add_argument("--human", action="store_true", help="readable output")
    args = parser.parse_args(list(argv))
    fds = [args.report_fd, args.control_fd, args.lifeline_fd]
    if args.human and any(fd is not None for fd in fds):
        parser.error("--human takes no --report-fd, --control-fd or --lifeline-fd")
    for fd in fds:
        if fd is None:
            continue
        try:
            os.fstat(fd)
        except OSError:
            parser.error(f"file descriptor {fd} is not open")
    return Options(
        report_fd=1 if args.report_fd is None else args.report_fd,
        control_fd=args.control_fd,
        lifeline_fd=args.lifeline_fd,
        members=args.members,
        tick=args.tick,
        human=args.human,
    )
