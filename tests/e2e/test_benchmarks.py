"""The benchmark scripts keep working: each part runs briefly and reports sense.

Speed goals are never asserted here (benchmarks/RESULTS.md has the numbers);
these runs only check that the measurements happen and are well-formed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import columns, scan, suite, ui
from benchmarks.common import population, zombie_wait_status
from benchmarks.cpu import CpuResult
from sigtui.processes.scan import usable_cores


def test_population_starts_and_removes_its_sleepers() -> None:
    with population(20, n_groups=2) as sleepers:
        pids = list(sleepers.pids)
        assert len(pids) == 20
        assert len(sleepers.groups) == 2
        assert all(Path(f"/proc/{pid}").exists() for pid in pids)
    # Reaped children are gone from /proc (the pids may be reused, but not
    # as our sleepers: they would have to be our children again).
    assert not sleepers.pids
    assert not sleepers.survivors


def test_scan_ui_and_suite_report(tmp_path: Path) -> None:
    floor = scan.build_floor(tmp_path)
    scanned = scan.measure_scan(1, floor)
    assert scanned.nprocs > 1
    assert scanned.refresh[0] > 0
    assert floor is None or scanned.floor[0] > 0
    assert set(scanned.ps) == set(scan.PS_COLUMNS)
    assert len(scanned.ps_floor) == len(scanned.ps_parse_floor) == 1
    assert scanned.ps_parse_floor[0] > 0
    if floor is not None:
        assert len(scanned.floor_two) == 1
        assert len(scanned.floor_two[0]) == 2
        assert all(ms > 0 for ms in scanned.floor_two[0])
    # The first scans ran in fresh interpreters: read ahead by forked readers
    # (where there are two cores), and alone.
    (ahead,), (alone,) = scanned.ahead, scanned.alone
    assert ahead.nprocs > 1
    assert alone.nprocs > 1
    assert alone.forked == 0
    assert alone.readers == ()
    if usable_cores() >= 2:
        assert ahead.forked == 2
        assert len(ahead.readers) == 2
        assert ahead.children_cpu_ms > 0
    assert "| throughput of two ÷ one |" in scan.table([scanned], 1)

    refresh = ui.refresh_cost(200, rounds=2)
    assert len(refresh.refresh_cycle) == len(refresh.key_cycle) == 2
    assert all(ms > 0 for ms in refresh.key_cycle)

    live = ui.live(presses=20, starts=2)
    assert live.pid not in (0, os.getpid())  # measured in a fresh interpreter
    assert len(live.paint_after_scan_ms) == len(live.first_scan_ms) == 2
    assert all(ms >= 0 for ms in live.paint_after_scan_ms + live.first_scan_ms)
    assert len(live.cursor_ms) + len(live.filter_ms) == 20
    assert all(ms > 0 for ms in live.cursor_ms + live.filter_ms)
    assert len(live.quiet_filter_ms) == 10  # then with refreshing paused
    assert all(ms > 0 for ms in live.quiet_filter_ms)

    cpu = [
        CpuResult("sigtui", [1.0], 40_000, None),
        CpuResult("top", [2.0], 5_000, None),
    ]
    round_ = suite.Round(0, scanned, refresh, live, cpu)
    table = suite.goals([round_])
    assert table[0].startswith("| goal |")
    # One line per goal and column set: 1, 2, 3 (top only), 4, 5 (x2), 6 (one
    # per column set); 7 to 9 need a footprint round, which this one has not.
    assert len(table) == 2 + 6 + len(scan.PS_COLUMNS)
    assert any("3 CPU % sigtui ÷ top" in line and "0.50" in line for line in table)
    # Goal 6 names the parsing floor on the line of the columns it prints.
    parsing = [line for line in table if "printing ps's lines" in line]
    assert len(parsing) == 1
    assert f"`{scan.PARSED_BY_THE_FLOOR}`" in parsing[0]
    report = suite.report([round_], suite.QUICK)
    assert "## CPU under tmux" in report


@pytest.mark.parametrize(
    ("code", "exited", "killed"),
    [
        ("raise SystemExit(3)", 3, None),
        (
            "import os, signal; os.kill(os.getpid(), signal.SIGTERM)",
            None,
            signal.SIGTERM,
        ),
    ],
)
def test_zombie_wait_status_reads_an_unreaped_child(
    code: str, exited: int | None, killed: int | None
) -> None:
    child = subprocess.Popen([sys.executable, "-c", code])
    # Wait for its end but leave it a zombie, as tmux sometimes does.
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
    status = zombie_wait_status(child.pid)
    assert status is not None
    assert (os.WEXITSTATUS(status) if os.WIFEXITED(status) else None) == exited
    assert (os.WTERMSIG(status) if os.WIFSIGNALED(status) else None) == killed
    child.wait()
    assert zombie_wait_status(child.pid) is None


def test_columns_cost_table() -> None:
    results = [
        columns.ColumnsResult(spec)
        for spec in (columns.OLD_DEFAULT, "pid,%cpu,rss,pending,args")
    ]
    for result in results:
        columns.one_round(result)
        assert result.n > 0
        assert len(result.refresh) == len(result.layout) == columns.REFRESHES
        assert all(ms >= 0 for ms in [*result.cold, *result.refresh])
    lines = columns.table(results)
    assert lines[2].endswith("| 1.00 |")
    assert "`pid,%cpu,rss,pending,args`" in lines[3]
