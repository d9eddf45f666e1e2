"""Every performance goal in one run, with one table of ratios.

Usage: python -m benchmarks.suite [--extra 0,1000,3000,10000] [--quick]
                                  [--write benchmarks/RESULTS.md]

For each N in --extra this keeps N idle processes alive in their own process
groups (cleaned up afterwards, also on Ctrl-C), then runs:

* benchmarks.scan: refresh scan against the C floor (goal 1), ``sigtui ps``
  against ``ps -eo`` (goal 6); beside them two floors of the first scan (two
  C readers at once, and the first scan read ahead by forked readers against
  the same read alone);
* benchmarks.ui: UI-thread work per refresh on N synthetic processes with a
  typical change (goal 2), first paint (goal 4), key latency (goal 5);
* benchmarks.cpu: CPU use of sigtui, top and htop at a 1 s refresh, side by
  side under tmux (goal 3; htop is installed with apt-get when missing);
* benchmarks.footprint: resident memory of sigtui, htop and a minimal Textual
  app under tmux (goals 7 and 8: idle RSS at N = 0, with the floor of the same
  app after importing sigtui.ui.app beside it; memory per listed process
  between the first N and the others), cold start to the first full table
  against ``ps -eo`` (goal 9).

It prints the detailed tables, then the goals with the measured ratios and
whether each is met. --write also saves everything as Markdown.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import cpu, footprint, scan, ui
from benchmarks.common import (
    machine_line,
    med_range,
    parse_extra,
    population,
    progress,
)
from benchmarks.footprint import tool_versions

DASH = "\u2013"
GOAL_AT = (10000,)
GOAL_AT_3000 = (3000, 10000)
"""The process counts the goals are set at: all at 10,000, goal 3 also at 3,000."""


@dataclass
class Round:
    """Everything measured at one N."""

    extra: int
    scan: scan.ScanResult
    refresh: ui.RefreshResult
    live: ui.LiveResult
    cpu: list[cpu.CpuResult]
    footprint: footprint.FootprintRound | None = None


@dataclass
class Settings:
    """How long each part runs."""

    repeat: int
    rounds: int
    presses: int
    cpu_duration: float
    starts: int = 5
    memory_samples: int = 5


FULL = Settings(repeat=9, rounds=15, presses=300, cpu_duration=30.0)
QUICK = Settings(
    repeat=3, rounds=5, presses=60, cpu_duration=10.0, starts=3, memory_samples=3
)


def run_round(extra: int, settings: Settings, floor: Path | None) -> Round:
    """Measure every goal with ``extra`` idle processes alive."""
    with population(extra):
        progress(f"+{extra}: scans and ps")
        scanned = scan.measure_scan(settings.repeat, floor)
        progress(f"+{extra}: first paint and {settings.presses} keys")
        live = ui.live(settings.presses)
        progress(f"+{extra}: CPU of sigtui, top and htop under tmux")
        used = cpu.measure_cpu(duration=settings.cpu_duration, windows=3)
        fp = footprint.measure_round(
            extra, samples=settings.memory_samples, starts=settings.starts
        )
    n = max(extra, 100)
    progress(f"UI-thread cost of a refresh at {n} synthetic processes")
    refresh = ui.refresh_cost(n, settings.rounds)
    return Round(extra, scanned, refresh, live, used, fp)


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def goals(rounds: Sequence[Round]) -> list[str]:
    """The goal table: one line per goal and N, with the measured ratio."""
    lines = [
        "| goal | N (procs) | measured | target | ratio | met |",
        "|---|---|---|---|---|---|",
    ]

    def line(
        goal: str,
        n: int | str,
        measured: str,
        target: str,
        ratio: float | None,
        met: bool | None,
    ) -> None:
        shown = DASH if ratio is None else f"{ratio:.2f}"
        verdict = DASH if met is None else ("yes" if met else "**no**")
        lines.append(f"| {goal} | {n} | {measured} | {target} | {shown} | {verdict} |")

    def add(
        goal: str,
        n: int,
        measured: str,
        target: str,
        ratio: float | None,
        met: bool | None,
    ) -> None:
        # Only the process counts a goal is set at get a verdict.
        at = GOAL_AT_3000 if goal.startswith("3 ") else GOAL_AT
        if not any(abs(n - wanted) <= 0.05 * wanted + 200 for wanted in at):
            met = None
        line(goal, n, measured, target, ratio, met)

    for r in rounds:
        n = r.scan.nprocs
        refresh, floor = _median(r.scan.refresh), _median(r.scan.floor)
        ratio = None if refresh is None or not floor else refresh / floor
        add(
            "1 refresh scan ÷ C open/read/close floor",
            n,
            f"{refresh:.1f} ms ÷ {floor:.1f} ms" if floor else f"{refresh:.1f} ms",
            "≤ 1.2",
            ratio,
            None if ratio is None else ratio <= 1.2,
        )
    for r in rounds:
        ui_cpu, repaint = _median(r.refresh.refresh_cycle), _median(r.refresh.key_cycle)
        if ui_cpu is None or repaint is None:
            continue
        extra_work = ui_cpu - repaint
        add(
            "2 UI-thread CPU per refresh beyond one repaint",
            r.refresh.n,
            f"{ui_cpu:.1f} - {repaint:.1f} = {extra_work:.1f} ms",
            "≤ 16 ms",
            extra_work / 16,
            extra_work <= 16,
        )
    for r in rounds:
        by_tool = {c.tool: _median(c.percent) for c in r.cpu}
        ours, top, htop = by_tool.get("sigtui"), by_tool.get("top"), by_tool.get("htop")
        n = r.scan.nprocs
        if ours is not None and top:
            add(
                "3 CPU % sigtui ÷ top",
                n,
                f"{ours:.1f} % ÷ {top:.1f} %",
                "< 1",
                ours / top,
                ours < top,
            )
        if ours is not None and htop:
            add(
                "3 CPU % sigtui ÷ htop",
                n,
                f"{ours:.1f} % ÷ {htop:.1f} %",
                "< 0.5",
                ours / htop,
                ours < htop / 2,
            )
    for r in rounds:
        paint = statistics.median(r.live.paint_after_scan_ms)
        add(
            "4 first paint after the scan",
            r.live.nprocs,
            f"{med_range(r.live.paint_after_scan_ms, 0)} ms",
            "≤ 300 ms",
            paint / 300,
            paint <= 300,
        )
    for r in rounds:
        for what, values in (
            ("cursor", r.live.cursor_ms),
            ("filter", r.live.filter_ms),
        ):
            worst = ui.p99(values)
            add(
                f"5 {what} key p99 while refreshing",
                r.live.nprocs,
                f"{worst:.1f} ms (median {statistics.median(values):.1f})",
                "≤ 50 ms",
                worst / 50,
                worst <= 50,
            )
    for r in rounds:
        for columns, (ours_ms, theirs_ms) in r.scan.ps.items():
            theirs = statistics.median(theirs_ms)
            ratio = theirs / statistics.median(ours_ms)
            floor = _median(r.scan.ps_floor)
            parsing = (
                _median(r.scan.ps_parse_floor)
                if columns == scan.PARSED_BY_THE_FLOOR
                else None
            )
            floors = []
            if floor:
                floors.append(
                    f"a Python ps reading the same files takes {floor:.0f} ms "
                    f"= ps ÷ {theirs / floor:.2f}"
                )
            if parsing:
                floors.append(
                    f"printing ps's lines of these columns {parsing:.0f} ms "
                    f"= ps ÷ {theirs / parsing:.2f}"
                )
            add(
                f"6 ps -eo ÷ sigtui ps, `{columns}`",
                r.scan.nprocs,
                f"{theirs:.0f} ÷ {statistics.median(ours_ms):.0f} ms"
                + ("; floor: " + ", and ".join(floors) if floors else ""),
                "≥ 2",
                ratio,
                ratio >= 2,
            )
    # Goals 7 to 9 judge their own counts (idle memory with few processes,
    # memory per process between two rounds).
    for g in footprint.goals([r.footprint for r in rounds if r.footprint]):
        measured = g.measured if g.floor is None else f"{g.measured}; {g.floor}"
        line(g.goal, g.procs, measured, g.target, g.ratio, g.met)
    return lines


def report(rounds: Sequence[Round], settings: Settings) -> str:
    """Every table, as Markdown."""
    parts = [
        "## Goals",
        "",
        *goals(rounds),
        "",
        "Goals are set at 10,000 processes (goal 3 at 3,000 and 10,000, goal 7 "
        "at most 1,000, goal 8 over 10,000 more processes than the first round); "
        "the other rows show how the cost grows. Ratios are of medians.",
        "",
        "## Scans and `sigtui ps` (benchmarks/scan.py)",
        "",
        scan.table([r.scan for r in rounds], settings.repeat),
        "",
        "## UI thread, first paint, keys (benchmarks/ui.py)",
        "",
        *ui.tables([r.refresh for r in rounds], [r.live for r in rounds]),
        "",
        "## CPU under tmux (benchmarks/cpu.py)",
        "",
        *cpu.table([(r.extra, str(r.scan.nprocs), r.cpu) for r in rounds]),
    ]
    measured = [r.footprint for r in rounds if r.footprint]
    if measured:
        parts += [
            "",
            "## Memory and cold start (benchmarks/footprint.py)",
            "",
            *footprint.tables(measured),
            "",
            footprint.explanation(
                footprint.WARMUP_S, settings.memory_samples, settings.starts
            ),
        ]
    parts += ["", machine_line(), tool_versions()]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=parse_extra, default=[0, 1000, 3000, 10000])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs")
    parser.add_argument("--write", type=Path, help="also save the report here")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    rounds: list[Round] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            floor = scan.build_floor(Path(tmp))
            for extra in args.extra:
                rounds.append(run_round(extra, settings, floor))
    except KeyboardInterrupt:
        progress("interrupted")
        return 130
    text = report(rounds, settings)
    print(text)
    if args.write is not None:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        command = "python -m benchmarks.suite " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        save(args.write, f"Run {stamp} with `{command.strip()}`.\n\n{text}")
    return 0


KEPT_BELOW = "<!-- The suite's report ends here; what follows is kept by --write. -->"
"""The line after which a results file holds other runs' sections (the trace
benchmark's, earlier comparisons), which ``--write`` leaves as they are."""


def save(path: Path, report_text: str) -> None:
    """Write the suite's report at the head of a results file.

    Whatever the file held below :data:`KEPT_BELOW` stays; a file without
    that line is replaced whole.

    Args:
        path: The results file (``benchmarks/RESULTS.md``).
        report_text: The report, with the line saying when it was run.
    """
    kept = ""
    if path.exists():
        _, marker, below = path.read_text(encoding="utf-8").partition(KEPT_BELOW)
        kept = marker + below
    head = f"# Benchmark results\n\n{report_text}\n"
    path.write_text(head + ("\n" + kept if kept else ""), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
