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

and two floors of a first scan:

* two C readers at once: floor.c reading stat, cmdline and status of every
  process, two copies started together; each one's time, and the throughput
  gained over one reader alone (2 x one's time / the slower's time): how
  much two processes reading /proc at once can win at best;
* the first scan read ahead (``ProcfsScanner.scan_ahead``: two forked
  readers, a half of the pids each) against the same first scan read in one
  process, each in a fresh interpreter (benchmarks/first_scan.py): wall time
  from ``scan_ahead`` to the first scan's return, each reader's CPU time and
  their sum, and the CPU of the process that adopts what they read.
"""

from __future__ import annotations

import argparse
import json
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
from sigtui.processes.scan import AHEAD_FROM

FLOOR_SOURCE = Path(__file__).with_name("floor.c")
FIRST_SCAN = Path(__file__).with_name("first_scan.py")
PS_FLOOR = Path(__file__).with_name("ps_floor.py")
FIRST_SCAN_TIMEOUT_S = 120.0
DASH = "\u2013"
PS_COLUMNS = (
    "pid,pgid,tty,stat,time,args",
    "pid,pgid,tty,time,args",
    DEFAULT_COLUMNS,
)
"""DESIGN's columns, the same without STAT (which needs /proc/PID/status), and
the TUI's default columns (with the live %CPU and memory)."""

PARSED_BY_THE_FLOOR = PS_COLUMNS[0]
"""The columns whose lines ``benchmarks/ps_floor.py --parse`` prints, as ps does."""

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


def floor_ms(out: str) -> float:
    """The time of a floor run's first pass, from its output, in milliseconds.

    Args:
        out: What floor.c printed: one "MS SEEN" line per pass.

    Returns:
        The MS of the first line.

    Raises:
        ValueError: If the output has no such line.
    """
    lines = out.split()
    if not lines:
        raise ValueError("the floor printed nothing")
    return float(lines[0])


def run_floor(floor: Path, files: Sequence[str] = ()) -> float:
    """One pass of the floor over ``files`` (floor.c's default: stat), in ms."""
    argv = [str(floor), "1", *files]
    return floor_ms(
        subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    )


def run_floors_at_once(floor: Path, files: Sequence[str], n: int = 2) -> list[float]:
    """``n`` passes of the floor, started together, each in its own process.

    Args:
        floor: The compiled floor program.
        files: The files each reads of every process.
        n: How many run at once.

    Returns:
        Each one's time in ms (as each measured itself), fastest first.

    Raises:
        subprocess.CalledProcessError: If one failed.
    """
    argv = [str(floor), "1", *files]
    procs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(n)
    ]
    outs = [p.communicate()[0] for p in procs]
    for p in procs:
        if p.returncode != 0:
            raise subprocess.CalledProcessError(p.returncode, argv)
    return sorted(floor_ms(out) for out in outs)


@dataclass(frozen=True)
class FirstScan:
    """One first scan in a fresh interpreter (benchmarks/first_scan.py).

    Attributes:
        nprocs: Processes in the snapshot.
        wall_ms: From just before ``scan_ahead`` (or ``scan``) to the first
            scan's return.
        cpu_ms: The scanning process's own user + system time over it.
        forked: How many readers ``scan_ahead`` started (0: read alone).
        readers: Each reader's user + system time (clock-tick resolution).
        children_cpu_ms: The readers' time together (``getrusage``).
    """

    nprocs: int
    wall_ms: float
    cpu_ms: float
    forked: int
    readers: tuple[float, ...]
    children_cpu_ms: float

    @classmethod
    def from_json(cls, text: str) -> FirstScan:
        """Read first_scan.py's output.

        Args:
            text: Its one JSON line.

        Returns:
            The figures.

        Raises:
            ValueError: If it is not that JSON.
        """
        try:
            found = json.loads(text)
            return cls(
                int(found["nprocs"]),
                float(found["wall_ms"]),
                float(found["cpu_ms"]),
                int(found["forked"]),
                tuple(float(ms) for ms in found["readers"]),
                float(found["children_cpu_ms"]),
            )
        except (KeyError, TypeError) as e:
            raise ValueError(f"not first_scan.py's output: {text!r}") from e


def run_first_scan(mode: str) -> FirstScan:
    """Run benchmarks/first_scan.py in a new interpreter.

    Args:
        mode: "ahead" (forked readers) or "plain" (one process).

    Returns:
        What it measured.
    """
    out = subprocess.run(
        [sys.executable, str(FIRST_SCAN), mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=FIRST_SCAN_TIMEOUT_S,
    ).stdout
    return FirstScan.from_json(out)


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
    # The same, two processes at once: their times, faster first, per round.
    floor_two: list[list[float]] = field(default_factory=list)
    # A fresh process's first scan read ahead by forked readers, and alone.
    ahead: list[FirstScan] = field(default_factory=list)
    alone: list[FirstScan] = field(default_factory=list)
    # columns -> (sigtui ps, ps)
    ps: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    # benchmarks/ps_floor.py as a whole command: any Python ps's floor.
    ps_floor: list[float] = field(default_factory=list)
    # The same with --parse: the floor of a Python ps of PARSED_BY_THE_FLOOR.
    ps_parse_floor: list[float] = field(default_factory=list)


def measure_scan(repeat: int, floor: Path | None) -> ScanResult:
    """Time the floors, refresh, cold and first scans and the ps commands.

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
    python_floor = [sys.executable, str(PS_FLOOR)]
    parsing_floor = [*python_floor, "--parse"]
    run_quietly(python_floor)
    run_quietly(parsing_floor)
    for columns in PS_COLUMNS:  # warm-up: page cache for both programs
        run_quietly([sigtui, "ps", "-o", columns])
        run_quietly(["ps", "-eo", columns])
        result.ps[columns] = ([], [])
    for _ in range(repeat):
        if floor is not None:
            result.floor.append(run_floor(floor))
            result.floor_ps.append(run_floor(floor, PS_FILES))
            result.floor_two.append(run_floors_at_once(floor, PS_FILES))
        result.refresh.append(timed_ms(reused.scan))
        cold = ProcfsScanner(sources=sources)
        result.cold.append(timed_ms(cold.scan))
        cold.close()
        result.ahead.append(run_first_scan("ahead"))
        result.alone.append(run_first_scan("plain"))
        result.ps_floor.append(timed_run(python_floor))
        result.ps_parse_floor.append(timed_run(parsing_floor))
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


def throughput_gain(
    single: Sequence[float], together: Sequence[Sequence[float]]
) -> float | None:
    """How many times one reader's throughput readers started together get.

    Args:
        single: One reader's times alone, one per round.
        together: Per round, the times of the readers started together.

    Returns:
        (readers at once) x the median single time / the median of each
        round's slowest, or None if something is missing.
    """
    if not single or not together or not all(together):
        return None
    slowest = statistics.median(max(times) for times in together)
    if slowest <= 0:
        return None
    return len(together[0]) * statistics.median(single) / slowest


def _range_or_dash(values: Sequence[float], digits: int = 1) -> str:
    return med_range(values, digits) if values else DASH


def floor_lines(results: Sequence[ScanResult]) -> list[str]:
    """The floors of a first scan: two C readers at once, and read ahead.

    Args:
        results: One per N.

    Returns:
        Two Markdown tables.
    """
    lines = [
        "| N (procs) | one C reader of stat+cmdline+status ms "
        "| two at once: faster ms | slower ms | throughput of two ÷ one |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        gain = throughput_gain(r.floor_ps, r.floor_two)
        lines.append(
            f"| {r.nprocs} | {_range_or_dash(r.floor_ps)} "
            f"| {_range_or_dash([min(t) for t in r.floor_two if t])} "
            f"| {_range_or_dash([max(t) for t in r.floor_two if t])} "
            f"| {DASH if gain is None else f'{gain:.2f}'} |"
        )
    lines += [
        "",
        "| N (procs) | first scan read ahead ms | readers | CPU ms of each reader "
        "| readers' CPU ms | adopting CPU ms | first scan alone ms | its CPU ms "
        "| ahead ÷ alone |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        forked = sorted({a.forked for a in r.ahead})
        wall = ratio([a.wall_ms for a in r.ahead], [a.wall_ms for a in r.alone])
        lines.append(
            f"| {r.nprocs} | {_range_or_dash([a.wall_ms for a in r.ahead], 0)} "
            f"| {', '.join(map(str, forked)) or DASH} "
            f"| {_range_or_dash([ms for a in r.ahead for ms in a.readers], 0)} "
            f"| {_range_or_dash([a.children_cpu_ms for a in r.ahead], 0)} "
            f"| {_range_or_dash([a.cpu_ms for a in r.ahead], 0)} "
            f"| {_range_or_dash([a.wall_ms for a in r.alone], 0)} "
            f"| {_range_or_dash([a.cpu_ms for a in r.alone], 0)} | {wall} |"
        )
    return lines


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
        "| C floor of stat+cmdline+status ms | Python floor ms "
        "| ps ÷ Python floor | Python floor parsing ms | ps ÷ it |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        floor_ps = med_range(r.floor_ps) if r.floor_ps else DASH
        python_floor = med_range(r.ps_floor) if r.ps_floor else DASH
        for columns, (ours, theirs) in r.ps.items():
            parsing = r.ps_parse_floor if columns == PARSED_BY_THE_FLOOR else []
            lines.append(
                f"| {r.nprocs} | `{columns}` | {med_range(ours)} "
                f"| {med_range(theirs)} | {ratio(theirs, ours)} | {floor_ps} "
                f"| {python_floor} | {ratio(theirs, r.ps_floor)} "
                f"| {med_range(parsing) if parsing else DASH} "
                f"| {ratio(theirs, parsing)} |"
            )
    lines += [
        "",
        f"Median (min\u2013max) of {repeat} rounds, interleaved. Floor: C open/read/"
        "close of every /proc/PID/stat (benchmarks/floor.c). Refresh: one "
        "ProcfsScanner reused. Cold: a new scanner's first scan. sigtui ps and "
        "ps: whole commands, output to /dev/null. C floor of stat+cmdline+status: "
        "the same C program reading those three files of every process whole, in "
        "one process (what ps's and sigtui ps's system calls cost at least). "
        "Python floor: benchmarks/ps_floor.py as a whole command, the least any "
        "`sigtui ps` in Python does: the interpreter starts, and two processes "
        "(as sigtui ps from 2,000) read stat, cmdline and status of a half of "
        "the processes each and print pid and arguments, parsing nothing; "
        "ps ÷ Python floor is the most goal 6's ratio can be. Python floor "
        "parsing: the same with --parse, printing ps's very lines of "
        f"`{PARSED_BY_THE_FLOOR}` from the fewest fields parsed the simplest "
        "way (standard library only): the floor of any Python ps of those "
        "columns.",
        "",
        *floor_lines(results),
        "",
        "Two at once: two copies of that C reader started together, each reading "
        "every process; each one's own time, and the throughput of the two "
        "against one alone (twice one's time ÷ the slower's). First scan read "
        "ahead: in a fresh interpreter (benchmarks/first_scan.py), "
        "`ProcfsScanner.scan_ahead(at_least=0)` (the app forks only from "
        f"{AHEAD_FROM} processes) forks its readers, a half of the pids each, "
        "and the first `scan()` adopts what they read and reaps them; time from "
        "`scan_ahead` to that scan's return. CPU = user + system; each reader's "
        "is read from its /proc/PID/stat once it has ended (clock ticks), "
        "readers' is their sum from `getrusage(RUSAGE_CHILDREN)`, adopting is "
        "the scanning process's own. Alone: the same first scan of a new "
        "scanner in a fresh interpreter, without readers. Scanner and sources "
        "as the app's with the default columns.",
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
