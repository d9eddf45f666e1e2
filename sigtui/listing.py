"""The subcommands that print once and exit: ``sigtui ps`` and ``sigtui signals``.

Also ``sigtui lessons``' list. They work without a terminal and never import
Textual; the reader leaving early (``sigtui ps | head -1``) ends them quietly.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Callable
from typing import Any, TextIO

from sigtui.processes import (
    DEFAULT_COLUMNS,
    Column,
    ColumnError,
    ProcfsScanner,
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
from sigtui.processes.pstable import header_line, with_wide_masks
from sigtui.processes.scan import pid_names, usable_cores

LISTINGS = ("ps", "signals", "lessons")
"""The subcommands :func:`run_listing` runs."""


_ID_DIGITS = len(str(2**31 - 1))
"""Digits of the largest pid_t, after leading zeros."""


def id_list(kind: str) -> Callable[[str], list[int]]:
    """Make a parser for comma- or space-separated lists of positive ids.

    Args:
        kind: What the ids are (``pid``), for messages.

    Returns:
        The parser, for ``add_argument(type=...)``.
    """

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


def add_parsers(commands: Any) -> None:
    """Add the ``ps`` and ``signals`` subcommands to the command line.

    Args:
        commands: What ``ArgumentParser.add_subparsers()`` returned.
    """
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
        type=id_list("pid"),
        action="append",
        metavar="PID,...",
        help="only these processes",
    )
    ps.add_argument(
        "-g",
        dest="pgids",
        type=id_list("pgid"),
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


def columns_or_exit(
    parser: argparse.ArgumentParser,
    specs: list[str] | None,
    default: str = DEFAULT_COLUMNS,
) -> tuple[Column, ...]:
    """Parse ``-o`` lists; a bad one is a usage error (exit status 2).

    Args:
        parser: The parser, for error reporting.
        specs: The ``-o`` arguments, or None for the default.
        default: The columns when there is no ``-o``.

    Returns:
        The columns.
    """
    try:
        return parse_columns(specs if specs is not None else [default])
    except ColumnError as err:
        parser.error(str(err))


def output_width(out: TextIO) -> int | None:
    """Return the width ps would cut lines to, or None for no limit.

    Like ps: ``COLUMNS`` when it is a positive number, even when the output is
    a pipe or a file; otherwise the terminal's width when printing to one;
    otherwise no limit.

    Args:
        out: Where the table is printed.

    Returns:
        The width.
    """
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if out.isatty():
        return shutil.get_terminal_size().columns
    return None


STATUS_FIELDS = frozenset({Field.STAT, Field.USER, Field.UID})
"""The ps columns whose values come from ``/proc/PID/status``."""


PARALLEL_FROM = 2000
"""Processes from which ``sigtui ps`` reads /proc in two processes at once."""

_NO_ROWS = 3
"""The helper process's exit status when its half had no row to print."""


def run_ps(
    args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO
) -> int:
    """Print the table once, as ``ps -e -o COLS`` would (``sigtui ps``).

    Reading /proc is most of the work and every line depends only on its own
    process, so on a machine with many processes and more than one core the
    pids are split in two: a forked helper reads and prints the lower half
    while this process reads the upper half, and prints it once the helper
    is done (the output is in pid order, as from one process).

    Args:
        args: Parsed arguments.
        parser: The parser, for error reporting.
        out: Where to print.

    Returns:
        0, or 1 when a selection (``-p``/``-g``) matched nothing, as ps does.
    """
    columns = columns_or_exit(parser, args.ps_columns, PS_DEFAULT_COLUMNS)
    # Only STAT (its L) and the user columns need /proc/PID/status, the
    # costliest file to read.
    users = any(c.field in STATUS_FIELDS for c in columns)
    scanner = default_scanner(
        refreshing=False, users=users, sources=sources_of(columns)
    )
    pids = {p for group in args.pids or [] for p in group}
    pgids = {g for group in args.pgids or [] for g in group}
    width = output_width(out)
    columns = with_wide_masks(columns, width)

    def lines_of(names: list[str] | None) -> tuple[list[str], int]:
        if isinstance(scanner, ProcfsScanner):
            snapshot = scanner.scan(names)
        else:
            snapshot = scanner.scan()
        rows = [
            p
            for p in snapshot.processes
            if not (pids or pgids) or p.pid in pids or p.pgid in pgids
        ]
        lines = format_table(snapshot, rows, columns, headers=False)
        return [line if width is None else line[:width] for line in lines], len(rows)

    header = None if args.no_headers else header_line(columns)
    if header is not None:
        out.write((header if width is None else header[:width]) + "\n")
    names = _proc_names(pids if pids and not pgids else None, scanner)
    if names and len(names) >= PARALLEL_FROM and usable_cores() > 1 and _is_a_file(out):
        count = _print_in_two(names, lines_of, out)
    else:
        lines, count = lines_of(names)
        if lines:
            out.write("\n".join(lines) + "\n")
    out.flush()
    return 1 if (pids or pgids) and not count else 0


def _is_a_file(out: TextIO) -> bool:
    """Whether a forked helper can write to ``out`` (a real file, not a buffer)."""
    try:
        out.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation too
        return False
    return True


def _proc_names(only: set[int] | None, scanner: object) -> list[str] | None:
    """The /proc entries to read, in pid order (None: let the scanner list them)."""
    if not isinstance(scanner, ProcfsScanner):
        return None
    if only is not None:
        return [str(pid) for pid in sorted(only) if os.path.exists(f"/proc/{pid}")]
    return pid_names()


def _print_in_two(
    names: list[str],
    lines_of: Callable[[list[str]], tuple[list[str], int]],
    out: TextIO,
) -> int:
    """Print the lower half of ``names`` from a forked helper, the upper half here.

    Returns:
        How many rows were printed.
    """
    half = len(names) // 2
    out.flush()
    helper = os.fork()
    if helper == 0:  # the helper: print the lower half, first
        status = 1
        try:
            lines, count = lines_of(names[:half])
            if lines:
                out.write("\n".join(lines) + "\n")
            out.flush()
            status = 0 if count else _NO_ROWS
        except BrokenPipeError:
            status = 0
        finally:
            os._exit(status)
    lines, count = lines_of(names[half:])
    _, wait_status = os.waitpid(helper, 0)
    code = os.waitstatus_to_exitcode(wait_status)
    if code not in (0, _NO_ROWS):
        raise OSError(f"the process reading the lower pids failed (status {code})")
    if lines:
        out.write("\n".join(lines) + "\n")
    return count + (1 if code == 0 else 0)


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


def run_listing(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run ``sigtui ps``, ``signals`` or ``lessons``, printing to stdout.

    Args:
        args: Parsed arguments (``args.command`` one of :data:`LISTINGS`).
        parser: The parser, for error reporting.

    Returns:
        The exit status.
    """
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
