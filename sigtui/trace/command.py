"""``sigtui trace``: every signal on the machine, as lines or JSON lines.

Standard library only, and cheap to import: every ``sigtui`` command builds
this parser, so the tracing modules are imported only when it runs. It is
also the TUI's reader process: the TUI runs ``python -m sigtui trace --feed``
so that the mount namespace, the parsing and the pairing are out of the UI's
process (a multi-threaded process cannot move to a mount namespace of its
own, and the parsing would take the UI's GIL).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

EXIT_UNAVAILABLE = 1
"""Exit status when tracing cannot work here (the sentence says why)."""

READY = "ready"
"""The ``type`` of the first JSON line ``--feed`` writes once it traces."""


def add_parser(commands: Any) -> None:
    """Add the ``trace`` subcommand to the command line's subparsers.

    Args:
        commands: What ``ArgumentParser.add_subparsers()`` returned.
    """
    trace = commands.add_parser(
        "trace",
        help="print every signal on the machine, who sent it and what became of it",
        description=(
            "Print each signal the kernel generates, as it happens: who sent it "
            "(a process, the kernel, or the CPU for a fault), to whom, how "
            "(kill(), tgkill(), ...) and what became of it (caught, ignored, "
            "killed, stopped, merged, still pending), and each traced process "
            "that ends and how. Needs root; reads the kernel's signal tracepoints "
            "through a tracing instance of its own, which it removes when it "
            "ends. Runs until Ctrl-C."
        ),
    )
    trace.add_argument(
        "-p",
        "--pid",
        type=_positive("pid"),
        action="append",
        metavar="PID",
        help="only signals sent or received by this process (repeatable)",
    )
    trace.add_argument(
        "-g",
        "--pgid",
        type=_positive("process group"),
        action="append",
        metavar="PGID",
        help="only signals sent or received in this process group (repeatable)",
    )
    trace.add_argument(
        "--json", action="store_true", help="one JSON object per line (for scripts)"
    )
    trace.add_argument(
        "--hide-sigchld",
        action="store_true",
        help="leave out SIGCHLD (one is sent each time any child ends)",
    )
    trace.add_argument("--feed", action="store_true", help=argparse.SUPPRESS)


def _positive(what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"invalid {what} {text!r}: not a number"
            ) from None
        if value <= 0:
            raise argparse.ArgumentTypeError(
                f"invalid {what} {text!r}: must be positive"
            )
        return value

    parse.__name__ = what
    return parse


def _stop_on_signals() -> None:
    def stop(signo: int, _frame: object) -> None:
        raise KeyboardInterrupt

    for signo in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signo, stop)


def run_trace(args: argparse.Namespace) -> int:
    """Trace until Ctrl-C, SIGTERM, SIGHUP (or, with ``--feed``, standard input's end).

    Args:
        args: The parsed command line.

    Returns:
        The exit status: 0, or :data:`EXIT_UNAVAILABLE` with the reason on
        standard error.
    """
    # Imported here: building the command line's parser must stay cheap.
    from sigtui.trace.output import Selection, writer
    from sigtui.trace.reader import read_records
    from sigtui.trace.tracefs import Unavailable, opened

    _stop_on_signals()
    selection = Selection(
        set(args.pid or ()), set(args.pgid or ()), args.hide_sigchld, args.feed
    )
    emit = writer(sys.stdout, args.json or args.feed, selection)
    stop_fd = None
    if args.feed:
        # The TUI holds the write end of our standard input: its end means
        # the TUI is gone (even SIGKILLed), so the instance is removed anyway.
        stop_fd = sys.stdin.fileno()
        os.set_blocking(stop_fd, False)
        with contextlib.suppress(OSError):
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    try:
        with opened() as instance:
            fd = instance.open_pipe()
            if args.feed:
                sys.stdout.write(
                    json.dumps({"type": READY, "instance": instance.path.name})
                )
                sys.stdout.write("\n")
                sys.stdout.flush()
            else:  # standard error: with --json too, so a script knows it began
                print(
                    f"Tracing signals (instance {instance.path.name}); Ctrl-C ends.",
                    file=sys.stderr,
                )
            read_records(fd, emit, stop_fd=stop_fd)
    except Unavailable as error:
        print(f"sigtui trace: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        # Whoever read our output stopped (| head); not an error of ours.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0
