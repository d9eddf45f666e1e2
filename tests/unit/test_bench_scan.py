"""benchmarks.scan's floors of a first scan: parsing and the tables, without running."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import scan
from benchmarks.scan import DASH, FirstScan, ScanResult
from tests.spawn import wait_for_state


def test_floor_ms_reads_the_first_pass() -> None:
    assert scan.floor_ms("362.512 10067\n370.001 10067\n") == 362.512
    with pytest.raises(ValueError, match="nothing"):
        scan.floor_ms("")


def test_throughput_gain_is_readers_times_one_over_the_slowest() -> None:
    # Alone 400 ms; two at once, the slower takes 618 ms: 2 x 400 / 618.
    gain = scan.throughput_gain([380.0, 400.0, 420.0], [[463.0, 618.0]] * 3)
    assert gain is not None
    assert round(gain, 2) == 1.29
    # Medians of each: the slowest per round is 500, 600, 700.
    gain = scan.throughput_gain([300.0], [[450.0, 500.0], [600.0, 10.0], [700.0, 1.0]])
    assert gain == 1.0
    assert scan.throughput_gain([], [[1.0, 2.0]]) is None
    assert scan.throughput_gain([1.0], []) is None
    assert scan.throughput_gain([1.0], [[]]) is None


def _first(wall: float, cpu: float, readers: tuple[float, ...] = ()) -> FirstScan:
    return FirstScan(10067, wall, cpu, len(readers), readers, sum(readers) + 3)


def test_first_scan_reads_the_probe_output() -> None:
    text = json.dumps(
        {
            "mode": "ahead",
            "nprocs": 10067,
            "wall_ms": 1070.5,
            "cpu_ms": 140.25,
            "forked": 2,
            "readers": [680.0, 670.0],
            "children_cpu_ms": 1352.5,
        }
    )

    assert FirstScan.from_json(text) == FirstScan(
        10067, 1070.5, 140.25, 2, (680.0, 670.0), 1352.5
    )
    with pytest.raises(ValueError, match="first_scan"):
        FirstScan.from_json('{"nprocs": 1}')
    with pytest.raises(json.JSONDecodeError):
        FirstScan.from_json("Traceback")


def test_floor_lines_show_both_floors_per_n() -> None:
    r = ScanResult(10067, floor_ps=[380.0, 400.0])
    r.floor_two = [[463.0, 618.0], [480.0, 600.0]]
    r.ahead = [_first(1070.0, 140.0, (680.0, 670.0)), _first(1000.0, 150.0, (600, 650))]
    r.alone = [_first(1400.0, 1390.0), _first(1500.0, 1480.0)]

    # Ranges are shown with an en dash, dashes below with a hyphen.
    lines = [line.replace(DASH, "-") for line in scan.floor_lines([r])]

    assert lines[2] == (
        "| 10067 | 390.0 (380.0-400.0) | 471.5 (463.0-480.0) "
        "| 609.0 (600.0-618.0) | 1.28 |"
    )
    assert lines[6] == (
        "| 10067 | 1035 (1000-1070) | 2 | 660 (600-680) | 1303 (1253-1353) "
        "| 145 (140-150) | 1450 (1400-1500) | 1435 (1390-1480) | 0.71 |"
    )
    # Each row has its header's columns.
    assert lines[2].count("|") == lines[0].count("|")
    assert lines[6].count("|") == lines[4].count("|")


def test_floor_lines_show_dashes_without_a_compiler_or_readers() -> None:
    r = ScanResult(80, refresh=[1.0], cold=[2.0])
    r.ahead = [_first(20.0, 19.0)]  # one core: scan_ahead did not fork
    r.alone = [_first(21.0, 20.0)]

    lines = [line.replace(DASH, "-") for line in scan.floor_lines([r])]

    assert lines[2] == "| 80 | - | - | - | - |"
    assert lines[6].startswith("| 80 | 20 (20-20) | 0 | - | 3 (3-3) |")
    assert "| 80 |" in scan.table([r], 1)  # the tables are part of scan's report


def test_the_ps_table_shows_the_python_floor_and_ps_over_it() -> None:
    r = ScanResult(10067, refresh=[100.0], cold=[900.0], floor_ps=[345.0])
    r.ps_floor = [300.0, 320.0, 340.0]
    r.ps_parse_floor = [330.0]
    r.ps = {
        "pid,args": ([700.0], [640.0, 660.0]),
        scan.PARSED_BY_THE_FLOOR: ([710.0], [660.0]),
    }

    lines = [line.replace(DASH, "-") for line in scan.table([r], 3).splitlines()]

    header = next(line for line in lines if "Python floor ms" in line)
    row = next(line for line in lines if "`pid,args`" in line)
    assert row == (
        "| 10067 | `pid,args` | 700.0 (700.0-700.0) | 650.0 (640.0-660.0) | 0.93 "
        "| 345.0 (345.0-345.0) | 320.0 (300.0-340.0) | 2.03 | - | - |"
    )
    # The parsing floor only where its columns are the ones timed.
    parsed = next(line for line in lines if f"`{scan.PARSED_BY_THE_FLOOR}`" in line)
    assert parsed.endswith("| 2.06 | 330.0 (330.0-330.0) | 2.00 |")
    assert row.count("|") == parsed.count("|") == header.count("|")


def test_the_python_floor_prints_every_process_it_can_read_with_its_arguments(
    tmp_path: Path,
) -> None:
    # A process of the test's own with arguments to find among the lines.
    # The marker has a newline and a tab, as some command lines do (a shell
    # script passed in an argument): ps shows one line, the newline a space
    # and the tab "?".
    marker = f"ps-floor-marker-{os.getpid()}\nsecond\tline"
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()", marker],
        stdin=subprocess.PIPE,
    )
    try:
        out = tmp_path / "out"
        with out.open("wb") as sink:
            subprocess.run(
                [sys.executable, str(scan.PS_FLOOR)], stdout=sink, check=True
            )
        # Split at newlines only: splitlines() would also split at U+2028 and
        # the like, which a command line may hold.
        lines = out.read_bytes().decode(errors="replace").split("\n")[:-1]
    finally:
        child.communicate(b"")

    mine = [line for line in lines if line.split(" ", 1)[0] == str(child.pid)]
    assert mine == [
        f"{child.pid} {sys.executable} -c import sys; sys.stdin.read() "
        f"ps-floor-marker-{os.getpid()} second?line "
    ]
    # Both halves: the forked helper's lower pids come first, in pid order.
    pids = [int(line.split(" ", 1)[0]) for line in lines]
    assert pids == sorted(pids)
    assert len(pids) == len(set(pids)) > 1


def floor_and_ps_lines(pid: int) -> tuple[list[str], str]:
    """The parsing floor's lines of ``pid``, and then ps's line of it."""
    floor = subprocess.run(
        [sys.executable, str(scan.PS_FLOOR), "--parse"],
        stdout=subprocess.PIPE,
        check=True,
    ).stdout.decode()
    theirs = subprocess.run(
        # -ww: whole lines, as to a file (here ps may find a terminal).
        ["ps", "-ww", "--no-headers", "-p", str(pid), "-o", scan.PARSED_BY_THE_FLOOR],
        stdout=subprocess.PIPE,
        check=True,
    ).stdout.decode()
    mine = [line for line in floor.split("\n") if line.split()[:1] == [str(pid)]]
    return mine, theirs.rstrip("\n")


def test_the_parsing_floor_prints_ps_s_very_line() -> None:
    # A process of the test's own with every flag it can have without
    # privileges: a session leader (s), niced (N), with two threads (l).
    # The code's newlines are spaces in ps's line, its marker's tab "?".
    code = (
        "import os, sys, threading\n"
        "os.nice(5)\n"
        "threading.Thread(target=sys.stdin.read, daemon=True).start()\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, "parse-floor\tmarker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"  # nice and thread are set
        # Asleep on its input from now on (R until then): ps and the floor
        # read the same state.
        wait_for_state(child.pid, "S")
        mine, theirs = floor_and_ps_lines(child.pid)
    finally:
        child.communicate(b"")

    assert mine == [theirs]
    assert " SNsl " in mine[0]
    assert mine[0].endswith("parse-floor?marker")


def test_the_parsing_floor_shows_a_zombie_as_ps_does() -> None:
    # A child of the test's own, exited and not yet reaped.
    zombie = subprocess.Popen(["true"])
    try:
        wait_for_state(zombie.pid, "Z")
        mine, theirs = floor_and_ps_lines(zombie.pid)
    finally:
        zombie.wait()

    assert mine == [theirs]
    assert mine[0].endswith(" [true] <defunct>")
