"""Goals 1 and 6: the /proc scanner against the C floor, ``sigtui ps`` against ps.

Usage: python -m benchmarks.scan [--extra 0,1000,3000,10000] [--repeat 9]

For each N in --extra this keeps N idle processes alive (benchmarks.common)
and times, interleaved round-robin so that machine drift hits all alike:

* floor: a C program (benchmarks/floor.c, built here with ``cc -O2``) that
  opens, reads and closes every /proc/PID/stat, parsing nothing;
* refresh: ``ProcfsScanner.scan()`` of one scanner reused (what a running
  sigtui does every interval);
* cold: the first scan of a new scanner (reads cmdline and status too);
* ``sigtui ps -o COLS`` against ``ps -eo COLS`` as whole commands (output to
  /dev/null), for the DESIGN's columns and for the same without STAT.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import (
    machine_line,
    med_range,
    parse_extra,
    population,
    positive,
    progress,
)
from sigtui.processes import DEFAULT_COLUMNS, ProcfsScanner, parse_columns
from sigtui.processes.columns import sources_of

FLOOR_SOURCE = Path(__file__).with_name("floor.c")
DASH = "\u2013"
PS_COLUMNS = (
    "pid,pgid,tty,stat,time,args",
    "pid,pgid,tty,time,args",
    DEFAULT_COLUMNS,
)
"""DESIGN's columns, the same without STAT (which needs /proc/PID/status), and
the TUI's default columns (with the live %CPU and memory)."""

PS_FILES = ("stat", "cmdline", "status")
"""The files ``sigtui ps`` reads for DESIGN's columns, for the floor of ps."""


def build_floor(directory: Path) -> Path | None:
    """Compile floor.c; None (with a warning) when there is no C compiler."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        progress("warning: no C compiler, the floor is not measured")
        return None
    binary = directory / "floor"
    subprocess.run([compiler, "-O2", "-o", str(binary), str(FLOOR_SOURCE)], check=True)
    return binary


def sigtui_command() -> str:
    """The ``sigtui`` installed next to this interpreter."""
    path = Path(sys.executable).parent / "sigtui"
    if not path.exists():
        raise SystemExit(f"no {path}: install sigtui in this environment first")
    return str(path)


def timed_ms(fn: Callable[[], object]) -> float:
    """Wall time of one call, in milliseconds."""
    t0 = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - t0) / 1e6


def run_quietly(argv: Sequence[str]) -> None:
    """Run a command to completion with its output thrown away."""
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)


def timed_run(argv: Sequence[str]) -> float:
    """Wall time of a whole command, in milliseconds."""
    return timed_ms(lambda: run_quietly(argv))


@dataclass
class ScanResult:
    """Every timing of one N, in milliseconds."""

    nprocs: int
    floor: list[float] = field(default_factory=list)
    refresh: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    # The C floor of reading PS_FILES of every process, in one process.
    floor_ps: list[float] = field(default_factory=list)
    # columns -> (sigtui ps, ps)
    ps: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)


def measure_scan(repeat: int, floor: Path | None) -> ScanResult:
    """Time the floor, refresh and cold scans and the ps commands.

    Args:
        repeat: Rounds; each round times everything once.
        floor: The compiled floor program, if any.

    Returns:
        The timings.
    """
    sigtui = sigtui_command()
    # The files the TUI's default columns need (%CPU, RSS), as the app reads them.
    sources = sources_of(parse_columns(DEFAULT_COLUMNS))
    reused = ProcfsScanner(sources=sources)
    result = ScanResult(len(reused.scan()))
    for columns in PS_COLUMNS:  # warm-up: page cache for both programs
        run_quietly([sigtui, "ps", "-o", columns])
        run_quietly(["ps", "-eo", columns])
        result.ps[columns] = ([], [])
    for _ in range(repeat):
        if floor is not None:
            out = subprocess.run(
                [str(floor), "1"], capture_output=True, text=True, check=True
            ).stdout
            result.floor.append(float(out.split()[0]))
            out = subprocess.run(
                [str(floor), "1", *PS_FILES], capture_output=True, text=True, check=True
            ).stdout
            result.floor_ps.append(float(out.split()[0]))
        result.refresh.append(timed_ms(reused.scan))
        cold = ProcfsScanner(sources=sources)
        result.cold.append(timed_ms(cold.scan))
        cold.close()
        for columns, (ours, theirs) in result.ps.items():
            ours.append(timed_run([sigtui, "ps", "-o", columns]))
            theirs.append(timed_run(["ps", "-eo", columns]))
    reused.close()
    return result


def ratio(a: Sequence[float], b: Sequence[float]) -> str:
    """The ratio of two medians, or a dash when one is missing."""
    if not a or not b:
        return DASH
    return f"{statistics.median(a) / statistics.median(b):.2f}"


def table(results: Sequence[ScanResult], repeat: int) -> str:
    """The results as Markdown."""
    lines = [
        "| N (procs) | C floor ms | refresh ms | refresh ÷ floor | refresh µs/proc "
        "| cold ms |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        per_proc = statistics.median(r.refresh) / r.nprocs * 1000
        floor = med_range(r.floor) if r.floor else DASH
        lines.append(
            f"| {r.nprocs} | {floor} | {med_range(r.refresh)} "
            f"| {ratio(r.refresh, r.floor)} | {per_proc:.1f} | {med_range(r.cold)} |"
        )
    lines += [
        "",
        "| N (procs) | columns | sigtui ps ms | ps -eo ms | ps ÷ sigtui ps "
        "| C floor of stat+cmdline+status ms |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        floor_ps = med_range(r.floor_ps) if r.floor_ps else DASH
        for columns, (ours, theirs) in r.ps.items():
            lines.append(
                f"| {r.nprocs} | `{columns}` | {med_range(ours)} "
                f"| {med_range(theirs)} | {ratio(theirs, ours)} | {floor_ps} |"
            )
    lines += [
        "",
        f"Median (min\u2013max) of {repeat} rounds, interleaved. Floor: C open/read/"
        "close of every /proc/PID/stat (benchmarks/floor.c). Refresh: one "
        "ProcfsScanner reused. Cold: a new scanner's first scan. sigtui ps and "
        "ps: whole commands, output to /dev/null. C floor of stat+cmdline+status: "
        "the same C program reading those three files of every process whole, in "
        "one process (what ps's and sigtui ps's system calls cost at least).",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=parse_extra, default=[0, 1000, 3000, 10000])
    parser.add_argument("--repeat", type=positive, default=9)
    args = parser.parse_args(argv)
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            floor = build_floor(Path(tmp))
            for extra in args.extra:
                with population(extra):
                    results.append(measure_scan(args.repeat, floor))
    except KeyboardInterrupt:
        progress("interrupted")
        return 130
    print(table(results, args.repeat))
    print()
    print(machine_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
