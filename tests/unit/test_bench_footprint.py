"""benchmarks.footprint's screen reading, figures and verdicts, without running."""

from __future__ import annotations

from pathlib import Path

from benchmarks import footprint, scan, suite, ui
from benchmarks.footprint import DASH, TIMES, ColdStart, FootprintRound, Memory

SCANNING = """\
 vm · scanning processes… · every 1 s · sorted by PID ▲
  PID ▲  PGID TT       STAT %CPU   RSS     TIME COMMAND



 q Quit  ? Help  k Signal
"""

PAINTED = """\
 vm · 10179 processes · every 1 s · sorted by PID ▲ · 61 kernel threads hidden (K)
  PID ▲  PGID TT       STAT %CPU   RSS     TIME COMMAND
○     1     0 ?        S<Ll  0.0 11696 00:03:09 /sbin/init
  15050 15050 ?        Ss    0.0  4068 00:00:00 bash

 q Quit  ? Help  k Signal
"""


def test_full_table_waits_for_the_first_scan() -> None:
    assert footprint.full_table("") is None
    assert footprint.full_table(SCANNING) is None
    assert footprint.full_table(PAINTED) == 10179


def test_full_table_needs_a_row_under_the_header() -> None:
    header_only = "\n".join([*PAINTED.splitlines()[:2], "", ""])
    assert footprint.full_table(header_only) is None


def _round(
    extra: int,
    procs: int,
    rss: dict[str, int],
    cold: tuple[float, float] = (1.0, 1.0),
) -> FootprintRound:
    # The import floor: 1,000 KiB under sigtui unless the test says otherwise.
    floor = {footprint.IMPORT_FLOOR: rss["sigtui"] - 1_000} | rss
    memory = {t: Memory(t, [floor[t]] * 3) for t in footprint.TOOLS}
    timed = ColdStart(sigtui_s=[cold[0]], ps_s=[cold[1]], shown=[procs], procs=[procs])
    return FootprintRound(extra, [procs] * 3, memory, timed)


def test_memory_per_process_compares_rounds_of_the_run() -> None:
    base = _round(0, 100, {"sigtui": 40_000, "htop": 4_000, "minimal": 36_000})
    big = _round(10000, 10100, {"sigtui": 80_000, "htop": 14_000, "minimal": 36_000})

    assert footprint.per_process_kib(base, big, "sigtui") == 4.0
    assert footprint.per_process_kib(base, big, "htop") == 1.0
    assert footprint.per_process_kib(base, base, "htop") is None  # no difference


def test_goals_judge_each_at_its_own_n() -> None:
    base = _round(
        0, 100, {"sigtui": 40_000, "htop": 4_000, "minimal": 36_000}, (0.5, 0.01)
    )
    big = _round(
        10000, 10100, {"sigtui": 50_000, "htop": 14_000, "minimal": 36_000}, (1.2, 1.0)
    )

    got = {(g.goal.split()[0], g.procs): g for g in footprint.goals([base, big])}

    idle = got[("7", "100")]
    assert idle.ratio is not None
    assert round(idle.ratio, 3) == round(40 / 36, 3)
    assert idle.met is True
    assert got[("7", "10100")].met is None  # idle is judged at N = 0 only
    per_process = got[("8", "100 → 10100")]
    assert per_process.ratio == 1.0
    assert per_process.met is True
    assert got[("9", "100")].met is None  # the cold start is judged at 10,000
    assert got[("9", "10100")].ratio == 1.2
    assert got[("9", "10100")].met is True


def test_goals_count_the_processes_listed_not_those_asked_for() -> None:
    # Someone else keeps 10,000 processes alive meanwhile.
    base = _round(0, 10100, {"sigtui": 80_000, "htop": 9_000, "minimal": 36_000})
    more = _round(2000, 12100, {"sigtui": 90_000, "htop": 10_000, "minimal": 36_000})

    got = {(g.goal.split()[0], g.procs): g.met for g in footprint.goals([base, more])}

    assert got[("7", "10100")] is None  # not idle
    assert got[("8", "10100 → 12100")] is None  # 2,000 apart, not 10,000
    assert got[("9", "10100")] is True  # a cold start at 10,000 processes


def test_goals_say_not_met_and_tables_show_what_is_missing() -> None:
    base = _round(0, 100, {"sigtui": 80_000, "htop": 4_000, "minimal": 36_000})
    big = _round(
        10000, 10100, {"sigtui": 180_000, "htop": 14_000, "minimal": 36_000}, (3, 1)
    )
    big.memory["htop"] = Memory("htop", [], "htop not installed")

    got = {(g.goal.split()[0], g.procs): g.met for g in footprint.goals([base, big])}
    lines = footprint.tables([base, big])

    assert got[("7", "100")] is False
    assert got[("8", "100 → 10100")] is None  # htop not measured: no verdict
    assert got[("9", "10100")] is False
    assert any("htop not installed" in line for line in lines)
    assert footprint.verdicts([base, big]) == [
        "- 7 idle RSS sigtui ÷ minimal Textual app at 100 processes: "
        "78.1 ÷ 35.2 MiB = 2.22 (goal ≤ 1.15): **NOT met**; floor (minimal app "
        f"+ import of sigtui.ui.app) 77.1 MiB = 2.19 {footprint.TIMES}",
        "- 9 cold start sigtui ÷ ps -eo at 10100 processes: "
        "3000 ÷ 1000 ms = 3.00 (goal ≤ 1.5): **NOT met**",
    ]


def test_the_suite_lists_goals_7_to_9_and_the_section() -> None:
    rounds = [
        suite.Round(
            r.extra,
            scan.ScanResult(r.nprocs() or 0, [1.0], [1.0], [1.0]),
            ui.RefreshResult(100, [0.1], [2.0], [1.0]),
            ui.LiveResult(r.nprocs() or 0, [50.0], [50.0], [5.0], [5.0]),
            [],
            r,
        )
        for r in (
            _round(0, 100, {"sigtui": 40_000, "htop": 4_000, "minimal": 36_000}),
            _round(10000, 10100, {"sigtui": 90_000, "htop": 14_000, "minimal": 1}),
        )
    ]

    lines = suite.goals(rounds)
    report = suite.report(rounds, suite.QUICK)

    assert "| 7 idle RSS sigtui ÷ minimal Textual app | 100 |" in "\n".join(lines)
    idle = next(line for line in lines if line.startswith("| 7 ") and "| 100 |" in line)
    # The floor goes in the measured column: the table keeps its six columns.
    assert (
        "39.1 ÷ 35.2 MiB; floor (minimal app + import of sigtui.ui.app) 38.1 MiB"
        in idle
    )
    assert idle.count("|") == 7
    assert any(line.startswith("| 8 ") and "**no**" in line for line in lines)
    assert any(line.startswith("| 9 ") and "| 10100 |" in line for line in lines)
    assert "## Memory and cold start (benchmarks/footprint.py)" in report


def test_the_import_floor_is_a_column_and_on_the_idle_goal_line() -> None:
    r = _round(
        0,
        100,
        {
            "sigtui": 41_779,
            "htop": 4_000,
            "minimal": 35_123,
            footprint.IMPORT_FLOOR: 40_858,
        },
    )
    r.memory["htop"] = Memory("htop", [], "htop not installed")

    lines = footprint.tables([r])

    assert "minimal app + import of sigtui.ui.app RSS MiB" in lines[0]
    assert lines[2] == f"| 0 | 100 | 40.8 | {DASH} | 34.3 | 39.9 | 1.19 | 1.16 |"
    assert footprint.idle_floor(r) == (
        f"floor (minimal app + import of sigtui.ui.app) 39.9 MiB = 1.16 {TIMES}"
    )
    assert [g.floor for g in footprint.goals([r])] == [footprint.idle_floor(r), None]
    assert footprint.verdicts([r])[0].endswith(
        "**NOT met**; " + footprint.idle_floor(r)
    )


def test_the_floor_shows_a_dash_when_it_was_not_measured() -> None:
    r = _round(0, 100, {"sigtui": 40_000, "htop": 4_000, "minimal": 36_000})
    r.memory[footprint.IMPORT_FLOOR] = Memory(footprint.IMPORT_FLOOR, [], "not up")

    assert footprint.idle_floor(r) == (
        f"floor (minimal app + import of sigtui.ui.app) {DASH} MiB = {DASH} {TIMES}"
    )
    assert f"| 39.1 | 3.9 | 35.2 | {DASH} | 1.11 | {DASH} |" in footprint.tables([r])[2]
    assert "- N=0, minimal+import: not up" in footprint.tables([r])


def test_writing_the_suite_s_report_keeps_the_sections_below_the_marker(
    tmp_path: Path,
) -> None:
    results = tmp_path / "RESULTS.md"
    suite.save(results, "Run one.\n\n## Goals\n\nold table")
    assert suite.KEPT_BELOW not in results.read_text()  # nothing kept: none there
    results.write_text(
        results.read_text() + f"\n{suite.KEPT_BELOW}\n\n## Tracing (trace.py)\n\nkept"
    )
    suite.save(results, "Run two.\n\n## Goals\n\nnew table")
    text = results.read_text()
    assert text.startswith("# Benchmark results\n\nRun two.")
    assert "new table" in text
    assert "old table" not in text
    assert text.endswith(f"{suite.KEPT_BELOW}\n\n## Tracing (trace.py)\n\nkept")


def test_the_cold_start_goal_names_the_import_floor_measured_beside_it() -> None:
    big = _round(10000, 10100, {"sigtui": 50_000, "htop": 14_000, "minimal": 36_000})
    big.cold.floor_s.append(0.6)
    goal = next(g for g in footprint.goals([big]) if g.goal.startswith("9"))
    assert goal.floor is not None
    assert "paints in 600 ms = 0.60 x ps" in goal.floor
    table = "\n".join(footprint.tables([big]))
    assert "| 600 (600\u2013600) | 0.60 |" in table


def test_the_cold_start_goal_names_the_floor_with_the_first_scan_read() -> None:
    big = _round(10000, 10100, {"sigtui": 50_000, "htop": 14_000, "minimal": 36_000})
    big.cold.floor_s.append(0.6)
    big.cold.reading_s.extend([1.1, 1.2, 1.3])
    goal = next(g for g in footprint.goals([big]) if g.goal.startswith("9"))
    assert goal.floor is not None
    assert goal.floor.endswith(
        f"; {footprint.READING_LABEL} shows it in 1200 ms = 1.20 x ps"
    )
    lines = footprint.tables([big])
    header = next(line for line in lines if footprint.READING_LABEL in line)
    row = next(line for line in lines if "| 600 (600\u2013600) | 0.60 |" in line)
    assert row.endswith("| 1200 (1100\u20131300) | 1.20 |")
    assert row.count("|") == header.count("|")
