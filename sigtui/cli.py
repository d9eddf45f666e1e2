"""The ``sigtui`` command line: the TUI and the ``ps`` subcommand.

Textual is imported only when the TUI actually starts, so ``sigtui ps`` and
``sigtui --help`` stay fast and work without a terminal.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from sigtui import __version__
from sigtui.config import MAX_INTERVAL, MIN_INTERVAL, ConfigFile, config_path
from sigtui.processes import (
    DEFAULT_COLUMNS,
    Column,
    ColumnError,
    default_scanner,
    format_table,
    parse_columns,
)
from sigtui.processes.columns import (
    PS_DEFAULT_COLUMNS,
    Field,
    column_names,
    sources_of,
)
from sigtui.processes.pstable import with_wide_masks

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


_ID_DIGITS = len(str(2**31 - 1))
"""Digits of the largest pid_t, after leading zeros."""


def _id_list(kind: str) -> Callable[[str], list[int]]:
    """Make a parser for comma- or space-separated lists of positive ids."""

    def parse(text: str) -> list[int]:
        items = [t for t in text.replace(",", " ").split() if t]
        if not items:
            raise argparse.ArgumentTypeError(f"empty {kind} list")
        values = []
        for item in items:
            # ASCII digits only (str.isdigit() also takes fullwidth and superscript
            # digits), and nothing a pid_t cannot hold. Leading zeros are dropped
            # before int(), which refuses strings of more than 4300 digits.
            digits = item.lstrip("0")
            if (
                not (item.isascii() and item.isdigit())
                or len(digits) > _ID_DIGITS
                or not 0 < int(digits or "0") < 2**31
            ):
                raise argparse.ArgumentTypeError(f"invalid {kind} {item!r}")
            values.append(int(digits))
        return values

    parse.__name__ = f"{kind} list"
    return parse


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
    ps = commands.add_parser(
        "ps",
        help="print the process table once, like ps",
        description="Print the process table once, in ps's format.",
        epilog="Column names for -o: " + ", ".join(column_names()),
    )
    ps.add_argument(
        "-o",
        dest="ps_columns",
        action="append",
        metavar="COLS",
        help="columns, as ps -o takes them (default "
        + PS_DEFAULT_COLUMNS.replace("%", "%%")
        + ")",
    )
    ps.add_argument(
        "-p",
        dest="pids",
        type=_id_list("pid"),
        action="append",
        metavar="PID,...",
        help="only these processes",
    )
    ps.add_argument(
        "-g",
        dest="pgids",
        type=_id_list("pgid"),
        action="append",
        metavar="PGID,...",
        help="only processes in these process groups (not ps's -g)",
    )
    ps.add_argument(
        "--no-headers", action="store_true", help="leave out the header line"
    )
    signals = commands.add_parser(
        "signals",
        help="print every signal with its default action and meaning",
        description=(
            "Print this platform's signals: number, name, aliases, default "
            "action, whether a process can catch it, and what it means."
        ),
    )
    signals.add_argument("--json", action="store_true", help="print a JSON array")
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
    from sigtui.ui.serve import add_parser  # stdlib only until it serves

    add_parser(commands)
    return parser


def _columns(
    parser: argparse.ArgumentParser,
    specs: list[str] | None,
    default: str = DEFAULT_COLUMNS,
) -> tuple[Column, ...]:
    try:
        return parse_columns(specs if specs is not None else [default])
    except ColumnError as err:
        parser.error(str(err))


def _output_width(out: TextIO) -> int | None:
    """Return the width ps would cut lines to, or None for no limit.

    Like ps: ``COLUMNS`` when it is a positive number, even when the output is
    a pipe or a file; otherwise the terminal's width when printing to one;
    otherwise no limit.
    """
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if out.isatty():
        return shutil.get_terminal_size().columns
    return None


STATUS_FIELDS = frozenset({Field.STAT, Field.USER, Field.UID})
"""The ps columns whose values come from ``/proc/PID/status``."""


def run_ps(
    args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO
) -> int:
    """Print the table once, as ``ps -e -o COLS`` would (``sigtui ps``).

    Args:
        args: Parsed arguments.
        parser: The parser, for error reporting.
        out: Where to print.

    Returns:
        0, or 1 when a selection (``-p``/``-g``) matched nothing, as ps does.
    """
    columns = _columns(parser, args.ps_columns, PS_DEFAULT_COLUMNS)
    # Only STAT (its L) and the user columns need /proc/PID/status, the
    # costliest file to read.
    users = any(c.field in STATUS_FIELDS for c in columns)
    snapshot = default_scanner(
        refreshing=False, users=users, sources=sources_of(columns)
    ).scan()
    pids = {p for group in args.pids or [] for p in group}
    pgids = {g for group in args.pgids or [] for g in group}
    selecting = bool(pids or pgids)
    rows = [
        p
        for p in snapshot.processes
        if not selecting or p.pid in pids or p.pgid in pgids
    ]
    width = _output_width(out)
    columns = with_wide_masks(columns, width)
    for line in format_table(snapshot, rows, columns, headers=not args.no_headers):
        out.write((line if width is None else line[:width]) + "\n")
    out.flush()
    return 1 if selecting and not rows else 0


def run_signals(args: argparse.Namespace, out: TextIO) -> int:
    """Print the signal table (``sigtui signals``).

    Args:
        args: Parsed arguments.
        out: Where to print.

    Returns:
        0.
    """
    from sigtui.signals import catalogue

    specs = list(catalogue())
    if args.json:
        rows = [
            {
                "number": s.number,
                "name": s.name,
                "aliases": list(s.aliases),
                "action": s.action.value if s.action else None,
                "catchable": s.catchable,
                "meaning": s.meaning,
            }
            for s in specs
        ]
        out.write(json.dumps(rows, indent=2) + "\n")
        out.flush()  # here, where main() handles a reader that left
        return 0
    headers = ("NUM", "NAME", "ALIASES", "ACTION", "CATCH", "MEANING")
    table = [
        (
            str(s.number),
            s.name,
            ",".join(s.aliases) or "-",
            s.action_text,
            "yes" if s.catchable else "no",
            s.meaning,
        )
        for s in specs
    ]
    widths = [max(len(r[i]) for r in [headers, *table]) for i in range(5)]
    for row in [headers, *table]:
        cells = [row[0].rjust(widths[0])]
        cells += [
            cell.ljust(width) for cell, width in zip(row[1:5], widths[1:], strict=True)
        ]
        out.write(" ".join([*cells, row[5]]) + "\n")
    out.flush()  # here, where main() handles a reader that left
    return 0


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
    columns = None if args.columns is None else _columns(parser, args.columns)
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
        ),
        Deps(config=config),
    )
    try:
        app.run()
    finally:
        # Whatever ended the app, the demo child must not outlive it.
        app.main.stop_demo()
        app.main.stop_lesson()
        if log_file is not None:
            log_file.close()
    return app.return_code or 0


def run_lessons(out: TextIO) -> int:
    """Print the guided lessons (``sigtui lessons``).

    Args:
        out: Where to print.

    Returns:
        The exit status.
    """
    from sigtui.lessons import LESSONS

    width = max(len(lesson.name) for lesson in LESSONS)
    indent = " " * (width + 6)
    for lesson in LESSONS:
        out.write(f"{lesson.number:>2}  {lesson.name:<{width}}  {lesson.title}\n")
        summary = textwrap.fill(
            lesson.summary, 79, initial_indent=indent, subsequent_indent=indent
        )
        out.write(f"{summary}\n")
    out.write("\nStart one with: sigtui lesson NAME (or its number); L in sigtui.\n")
    return 0


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
        from sigtui.ui.serve import run_serve

        return run_serve(args, parser)
    if args.command in ("ps", "signals", "lessons"):
        try:
            if args.command == "lessons":
                return run_lessons(sys.stdout)
            if args.command == "signals":
                return run_signals(args, sys.stdout)
            return run_ps(args, parser, sys.stdout)
        except BrokenPipeError:
            # The reader left (`sigtui ps | head -1`): stop quietly, as ps does,
            # and keep Python from complaining when it flushes stdout at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 0
    return run_tui(args, parser)
