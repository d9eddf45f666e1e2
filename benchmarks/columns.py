"""What columns cost: the scan and the layout at N processes, per column list.

The same code, the same processes, one column list against another, rounds
interleaved: for each list a scanner that reads what its columns need, timed
for its first (cold) scan, then for refreshes and for the layout of each
(``ProcessView.prepare``, which the app runs in its scan worker). It answers
"what do the TUI's default %CPU and RSS cost?" without another change
muddying the comparison.

    python -m benchmarks.columns --extra 10000 --rounds 5
    python -m benchmarks.columns --extra 10000 -o pid,pgid,tty,stat,time,args \
        -o pid,pgid,tty,stat,%cpu,rss,time,args -o pid,pending,blocked,args
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from benchmarks.common import (
    machine_line,
    med_range,
    parse_extra,
    population,
    positive,
    progress,
)
from sigtui.processes import DEFAULT_COLUMNS, ProcfsScanner, parse_columns
from sigtui.processes.columns import for_screen, sources_of
from sigtui.processes.view import ProcessView

OLD_DEFAULT = "pid,pgid,tty,stat,time,args"
"""The TUI's default columns before live %CPU and RSS."""

REFRESHES = 5
"""Refreshes timed per round, after the cold scan."""

T = TypeVar("T")


@dataclass
class ColumnsResult:
    """Timings of one column list, in milliseconds."""

    spec: str
    n: int = 0
    cold: list[float] = field(default_factory=list)
    first_layout: list[float] = field(default_factory=list)
    refresh: list[float] = field(default_factory=list)
    layout: list[float] = field(default_factory=list)


def timed(work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = work()
    return result, (time.perf_counter() - start) * 1e3


def one_round(result: ColumnsResult) -> None:
    """A new scanner and view: the cold scan, its layout, then refreshes."""
    columns = for_screen(parse_columns(result.spec))
    scanner = ProcfsScanner(sources=sources_of(columns))
    try:
        view = ProcessView(columns)
        snapshot, cold = timed(scanner.scan)
        result.n = len(snapshot)
        result.cold.append(cold)
        layout, first = timed(partial(view.prepare, snapshot))
        view.install(layout)
        result.first_layout.append(first)
        for _ in range(REFRESHES):
            fresh, scan_ms = timed(scanner.scan)
            result.refresh.append(scan_ms)
            layout, layout_ms = timed(partial(view.prepare, fresh))
            view.install(layout)
            result.layout.append(layout_ms)
    finally:
        scanner.close()


def table(results: Sequence[ColumnsResult]) -> list[str]:
    base = results[0]
    lines = [
        "| N (procs) | columns | cold scan ms | first layout ms | refresh ms "
        "| layout per refresh ms | refresh + layout ÷ first list's |",
        "|---|---|---|---|---|---|---|",
    ]
    base_cost = statistics.median(base.refresh) + statistics.median(base.layout)
    for result in results:
        cost = statistics.median(result.refresh) + statistics.median(result.layout)
        lines.append(
            f"| {result.n} | `{result.spec}` | {med_range(result.cold, 0)} "
            f"| {med_range(result.first_layout, 0)} | {med_range(result.refresh)} "
            f"| {med_range(result.layout)} | {cost / base_cost:.2f} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=parse_extra, default=[10000])
    parser.add_argument("--rounds", type=positive, default=5)
    parser.add_argument(
        "-o",
        dest="specs",
        action="append",
        metavar="COLS",
        help=f"a column list (default: {OLD_DEFAULT} and {DEFAULT_COLUMNS})",
    )
    args = parser.parse_args(argv)
    specs = args.specs or [OLD_DEFAULT, DEFAULT_COLUMNS]
    for spec in specs:
        parse_columns(spec)  # a bad list fails before 10,000 processes start
    lines: list[str] = []
    for extra in args.extra:
        results = [ColumnsResult(spec) for spec in specs]
        with population(extra):
            for round_ in range(args.rounds):
                progress(f"+{extra}: round {round_ + 1} of {args.rounds}")
                for result in results:  # interleaved: drift hits every list
                    one_round(result)
        lines += table(results)
    print("\n".join(lines))
    print()
    print(
        f"Median (min\N{EN DASH}max) of {args.rounds} rounds, interleaved; {REFRESHES} "
        "refreshes per round. Layout = ProcessView.prepare (the scan worker's "
        "share after the scan)."
    )
    print(machine_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
