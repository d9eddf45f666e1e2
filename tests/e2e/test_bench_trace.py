"""The tracing benchmark runs, reports sane rows and leaves nothing behind.

Speed goals are never asserted here (benchmarks/RESULTS.md has the numbers);
this only checks that the measurements happen and are well-formed. It needs
root (the reader mounts tracefs privately): elsewhere it is skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks import trace
from sigtui.procfs import read_stat_fields
from sigtui.trace.records import Fate, Lost, Result, Sender, TracedSignal

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="tracing needs root")


def children() -> set[int]:
    """Pids of this process's children (the benchmark's must all be gone)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = read_stat_fields(int(entry))
            if fields is not None and len(fields) > 1 and int(fields[1]) == os.getpid():
                found.add(int(entry))
    return found


@needs_root
@pytest.mark.parametrize("mode", trace.MODES)
def test_one_low_rate_gives_a_sane_row(mode: str) -> None:
    before = children()
    row = trace.measure(mode, rate=200, seconds=1.0)

    assert row.error == "", row
    assert 100 <= row.sent <= 220, row  # paced: about 200 in one second
    assert 150 <= row.achieved <= 220, row
    # Everything sent to our target is traced, each caught by its handler.
    assert row.traced == row.sent, row
    assert row.delivered == row.sent, row
    assert row.lost == 0, row
    cores = len(os.sched_getaffinity(0))
    assert 0 <= row.reader_sys <= row.reader_cpu < 100 * cores, row
    if mode == "feed":
        assert row.decode_cpu is not None
        assert 0 <= row.decode_cpu < 100 * cores, row
    else:
        assert row.decode_cpu is None
    assert children() <= before, "the benchmark left a process behind"
    lines = trace.table([row])
    assert lines[0].startswith("| reader | rate asked /s |")
    assert lines[2].startswith(f"| {mode} | 200 |")


@needs_root
def test_the_command_line_quick_run_prints_its_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Other\n\nkept\n", encoding="utf-8")
    monkeypatch.setattr(trace, "RESULTS", results)

    assert trace.main(["--quick", "--write"]) == 0

    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| json |")]
    rows += [line for line in out.splitlines() if line.startswith("| feed |")]
    assert len(rows) == 2, out
    assert "Machine:" in out
    written = results.read_text(encoding="utf-8")
    assert "## Other\n\nkept" in written
    assert trace.SECTION in written
    assert "python -m benchmarks.trace --quick --write" in written
    # A second run replaces its section rather than adding one.
    assert trace.main(["--quick", "--write"]) == 0
    assert results.read_text(encoding="utf-8").count(trace.SECTION) == 1


def test_stage_costs_run_without_root() -> None:
    stages = trace.stage_costs(200, 1)
    assert stages.signals == 200
    assert all(
        cost > 0
        for cost in (stages.parse, stages.pair, stages.to_json, stages.from_json)
    )
    assert stages.reader == pytest.approx(stages.parse + stages.pair + stages.to_json)
    assert "| 200 synthetic signals" in trace.stage_lines(stages)[2]


def test_counts_keep_the_targets_signals_apart() -> None:
    count = trace.Count(target=42)
    record = TracedSignal(
        1, 1.0, int(trace.SIGNAL), 0, Sender.PROCESS, 7, 7, "s", 42, 42, "t",
        True, Result.QUEUED, Fate.CAUGHT, 1.1, "7f",
    )  # fmt: skip
    count.add(record)
    count.add(record)  # a late record repeats its id
    count.add(Lost(2.0, 5))
    other = TracedSignal(
        2, 1.0, 17, 1, Sender.PROCESS, 7, 7, "s", 43, 43, "u", True,
        Result.QUEUED, Fate.CAUGHT,
    )  # fmt: skip
    count.add(other)
    assert (len(count.ids), len(count.delivered), count.lost, count.other) == (
        1,
        1,
        5,
        1,
    )


def test_summary_takes_medians_and_sums() -> None:
    runs = [
        trace.Row("json", 1000, 5.0, sent=5000, reader_cpu=cpu, traced=5000, lost=lost)
        for cpu, lost in ((3.0, 0), (9.0, 2), (4.0, 0))
    ]
    runs.append(trace.Row("feed", 1000, 5.0, error="the reader ended"))
    json_row, feed_row = trace.summary(runs)
    assert (json_row.reader_cpu, json_row.cpu_min, json_row.cpu_max) == (4.0, 3.0, 9.0)
    assert (json_row.sent, json_row.traced, json_row.lost) == (15000, 15000, 2)
    assert json_row.achieved == 1000
    assert "| 4.0 (3.0\u20139.0) |" in trace.table([json_row])[2]
    assert feed_row.error == "the reader ended"
    assert "the reader ended" in trace.table([feed_row])[2]


def test_keys_are_timed_under_load_and_the_reader_looked_for() -> None:
    before = children()
    row = trace.key_latency_while_tracing(rate=1000, presses=20)

    assert len(row.cursor_ms) == len(row.filter_ms) == 10
    assert all(ms > 0 for ms in row.cursor_ms + row.filter_ms)
    assert row.sent > 0
    assert 300 <= row.achieved <= 1100, row
    line = trace.key_lines(row)[0]
    assert "20 keys" in line
    assert (
        trace.key_lines(trace.KeyRow(1000, 1.0, 1000, cursor_ms=[5.0]))[0].count("p99")
        == 2
    )  # cursor and all keys: no filter keys, no p99 of nothing
    assert ("ran a trace reader" in line) == row.app_traced
    assert children() <= before, "the benchmark left a process behind"
