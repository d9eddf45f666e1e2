"""The ``sigtui`` command line: its parser, the TUI, ``demo`` and ``serve``.

Textual is imported only when the TUI actually starts, so ``sigtui ps`` and
``sigtui --help`` stay fast and work without a terminal. The subcommands that
print once (``ps``, ``signals``, ``lessons``) are in :mod:`sigtui.listing`.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from sigtui import __version__
from sigtui.config import (
    MAX_INTERVAL,
    MIN_INTERVAL,
    ConfigFile,
    config_path,
    starting_columns,
)
from sigtui.listing import LISTINGS, columns_or_exit, run_listing
from sigtui.listing import add_parsers as add_listing_parsers
from sigtui.processes import DEFAULT_COLUMNS, Column, ProcessSource
from sigtui.processes.columns import column_names

EXIT_USAGE = 2
"""Exit status for bad arguments and for a missing terminal, as in argparse."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line naming the bad value."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _seconds(what: str, minimum: float) -> Callable[[str], float]:
    """Make a parser for a number of seconds between ``minimum`` and an hour."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"invalid {what} {text!r}: not a number of seconds"
            ) from None
        if not math.isfinite(value) or not minimum <= value <= MAX_INTERVAL:
            raise argparse.ArgumentTypeError(
                f"invalid {what} {text!r}: must be between {minimum:g} "
                f"and {MAX_INTERVAL:g} seconds"
            )
        return value

    parse.__name__ = what
    return parse


_interval = _seconds("interval", MIN_INTERVAL)
"""Parse ``--interval``: seconds between refreshes."""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for every subcommand.

    Returns:
        The parser.
    """
    parser = _Parser(
        prog="sigtui",
        description=(
            "See processes and process groups and send them Unix signals. "
            "Without a subcommand, opens the interactive table."
        ),
        epilog="Column names for -o: " + ", ".join(column_names()),
    )
    parser.add_argument("--version", action="version", version=f"sigtui {__version__}")
    parser.add_argument(
        "--interval",
        type=_interval,
        default=None,
        metavar="S",
        help="seconds between refreshes of the table (default 1.0)",
    )
    parser.add_argument(
        "--no-config",
        action="store_true",
        help=(
            "neither read nor save the settings file "
            "($XDG_CONFIG_HOME/sigtui/config.toml)"
        ),
    )
    parser.add_argument(
        "--grace",
        type=_seconds("grace period", 0.0),
        default=5.0,
        metavar="S",
        help="seconds x waits after SIGTERM before SIGKILL (default 5)",
    )
    parser.add_argument(
        "--readonly",
        action="store_true",
        help="look only: every send is refused",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the instrumented demo child at launch (d starts/stops it)",
    )
    parser.add_argument(
        "--projector",
        action="store_true",
        help=(
            "for a class: high contrast, fewer and wider columns, a larger log "
            "and a caption explaining every send (J toggles it)"
        ),
    )
    parser.add_argument(
        "--no-trace",
        action="store_true",
        help=(
            "do not trace signals from the kernel's tracepoints (by default, as "
            "root, the log shows who sent each signal and what became of it)"
        ),
    )
    parser.add_argument(
        "--log",
        dest="log_file",
        metavar="FILE",
        help="append every signal log entry to FILE as JSON lines",
    )
    parser.add_argument(
        "-o",
        dest="columns",
        action="append",
        metavar="COLS",
        # argparse expands %-formats in help ("%cpu" would be one).
        help="columns, as ps -o takes them (default "
        + DEFAULT_COLUMNS.replace("%", "%%")
        + "; %%CPU is live)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_listing_parsers(commands)
    commands.add_parser(
        "demo",
        help="run the demo child in this terminal; signal it from another one",
        description=(
            "Run the instrumented demo child in the foreground: it prints its pid "
            "and one line per signal it receives (with the sender). Signal it "
            "from another terminal with the shell's kill; Ctrl-C ends it."
        ),
    )
    commands.add_parser(
        "lessons",
        help="list the guided lessons for a class",
        description="List the guided lessons: number, name, title and summary.",
    )
    lesson = commands.add_parser(
        "lesson",
        help="start a guided lesson in the interactive table",
        description=(
            "Open the interactive table with a guided lesson: it starts the "
            "lesson's own processes, shows its steps beside the table and ticks "
            "each one off as the class does it. Leaving (L, or quitting) ends "
            "all of its processes."
        ),
    )
    lesson.add_argument(
        "name", metavar="NAME", help="the lesson's number or name (see sigtui lessons)"
    )
    lesson.add_argument(
        "--projector",
        dest="lesson_projector",
        action="store_true",
        help="start in projector mode (as sigtui --projector)",
    )
    from sigtui.trace.command import add_parser as add_trace_parser
    from sigtui.ui.serve import add_parser  # stdlib only until it serves

    add_trace_parser(commands)
    add_parser(commands)
    return parser


def run_tui(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Start the interactive table.

    Args:
        args: Parsed arguments.
        parser: The parser, for error reporting.

    Returns:
        The app's exit status.
    """
    # Checked here so that a bad -o is a usage error before the screen opens;
    # make_app puts the settings file's choices under the command line's.
    columns = None if args.columns is None else columns_or_exit(parser, args.columns)
    config = ConfigFile(None if args.no_config else config_path())
    lesson = None
    if args.command == "lesson":
        from sigtui.lessons import LessonError, find_lesson

        try:
            lesson = find_lesson(args.name)
        except LessonError as err:
            parser.error(str(err))
    log_file: TextIO | None = None
    if args.log_file:
        try:
            log_file = open(args.log_file, "a", encoding="utf-8")  # noqa: SIM115
        except OSError as err:
            parser.error(
                f"cannot write the log file {args.log_file!r}: {err.strerror or err}"
            )
    streams = (sys.stdin, sys.stdout, sys.stderr)
    # Under `sigtui serve`, Textual's web driver talks to the page over pipes.
    web = os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver")
    if not web and not all(s is not None and s.isatty() for s in streams):
        sys.stderr.write(
            "sigtui: error: the interactive table needs a terminal "
            "(stdin, stdout and stderr); use 'sigtui ps' for plain output\n"
        )
        return EXIT_USAGE
    # Before the interface is imported: its threads would make forking unsafe.
    source = _scanner_reading_ahead(columns, config)
    from sigtui.ui import before_textual

    before_textual()
    from sigtui.ui.app import make_app
    from sigtui.ui.options import Deps, Options

    app = make_app(
        Options(
            demo=args.demo,
            log_file=log_file,
            columns=columns,
            interval=args.interval,
            handle_signals=True,
            readonly=args.readonly,
            grace=args.grace,
            projector=args.projector or getattr(args, "lesson_projector", False),
            lesson=lesson,
            trace=not args.no_trace,
        ),
        Deps(config=config, source=source),
    )
    try:
        app.run()
    finally:
        # Whatever ended the app, the demo child must not outlive it.
        app.main.stop_demo()
        app.main.stop_lesson()
        app.main.stop_trace()
        if log_file is not None:
            log_file.close()
    return app.return_code or 0


def _scanner_reading_ahead(
    columns: Sequence[Column] | None, config: ConfigFile
) -> ProcessSource:
    """The table's scanner, with its first scan already being read.

    On a machine with thousands of processes the first scan takes longer
    than importing and starting the interface, so two forked processes read
    it meanwhile (:meth:`ProcfsScanner.scan_ahead`).
    """
    from sigtui.processes import ProcfsScanner, default_scanner
    from sigtui.processes.columns import sources_of

    source = default_scanner(sources=sources_of(starting_columns(columns, config)))
    if isinstance(source, ProcfsScanner):
        source.scan_ahead()
    return source


def run_demo() -> int:
    """Run the demo child in the foreground (``sigtui demo``); never returns.

    Returns:
        Nothing: the process becomes the child.
    """
    argv = [sys.executable, "-m", "sigtui.demo.child", "--human"]
    os.execv(sys.executable, argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        return run_demo()
    if args.command == "serve":
        from sigtui.ui import before_textual
        from sigtui.ui.serve import run_serve

        before_textual()  # the server runs an event loop of its own
        return run_serve(args, parser)
    if args.command == "trace":
        from sigtui.trace.command import run_trace

        return run_trace(args)
    if args.command in LISTINGS:
        return run_listing(args, parser)
    return run_tui(args, parser)
