"""Unit tests: process trees (ps --forest layout) and snapshot diffs."""

from __future__ import annotations

import random
from dataclasses import replace

from sigtui.processes.columns import parse_columns
from sigtui.processes.diff import CellChange, diff_snapshots
from sigtui.processes.model import ProcessIdentity, ProcessInfo, ProcessSnapshot
from sigtui.processes.tree import forest, forest_lines
from tests.spawn import make_info


def tree(*pairs: tuple[int, int]) -> list[ProcessInfo]:
    """Processes from (pid, ppid) pairs, in the order given."""
    return [make_info(pid, ppid=ppid) for pid, ppid in pairs]


def layout(processes: list[ProcessInfo]) -> list[tuple[int, int]]:
    return [(p.pid, depth) for p, depth in forest(processes)]


# --- forest -------------------------------------------------------------------


def test_children_follow_their_parent() -> None:
    processes = tree(
        (1, 0), (2, 0), (3, 2), (4, 2), (10, 1), (11, 10), (12, 10), (13, 11), (20, 1)
    )
    assert layout(processes) == [
        (1, 0),
        (2, 0),
        (3, 1),
        (4, 1),
        # Like ps --forest: init's children are trees of their own, not under init.
        (10, 0),
        (11, 1),
        (13, 2),
        (12, 1),
        (20, 0),
    ]


def test_siblings_keep_the_given_order() -> None:
    processes = tree((30, 1), (33, 30), (31, 30), (32, 30))
    assert layout(processes) == [(30, 0), (33, 1), (31, 1), (32, 1)]
    assert layout(list(reversed(processes))) == [(30, 0), (32, 1), (31, 1), (33, 1)]


def test_child_listed_before_its_parent() -> None:
    processes = tree((50, 40), (40, 1))
    assert layout(processes) == [(40, 0), (50, 1)]


def test_process_whose_parent_is_absent_is_a_root() -> None:
    processes = tree((5, 4000), (6, 5))
    assert layout(processes) == [(5, 0), (6, 1)]


def test_own_parent_is_a_root() -> None:
    assert layout(tree((7, 7))) == [(7, 0)]


def test_parent_loop_loses_nobody() -> None:
    # Impossible in one consistent scan, but a racy one must not drop rows.
    processes = tree((8, 9), (9, 8), (3, 1))
    result = layout(processes)
    assert sorted(pid for pid, _ in result) == [3, 8, 9]
    assert (3, 0) in result


def test_deep_chain_has_no_recursion_limit() -> None:
    processes = [make_info(2, ppid=0)] + [
        make_info(pid, ppid=pid - 1) for pid in range(3, 5003)
    ]
    result = layout(processes)
    assert result == [(pid, pid - 2) for pid in range(2, 5003)]


def test_reused_pid_twice_in_the_list_keeps_both() -> None:
    # A view can hold a gone process and the new one with its pid.
    gone = make_info(60, ppid=1, start_time=10.0)
    new = make_info(60, ppid=1, start_time=20.0)
    child = make_info(61, ppid=60)
    result = [(p.identity, depth) for p, depth in forest([gone, new, child])]
    assert [identity for identity, _ in result].count(child.identity) == 1
    assert {identity for identity, _ in result} == {
        gone.identity,
        new.identity,
        child.identity,
    }


def test_random_forests_are_consistent() -> None:
    rng = random.Random(1234)
    for _ in range(300):
        pids = rng.sample(range(1, 60), rng.randint(1, 40))
        processes = [
            make_info(pid, ppid=rng.choice([0, 1, *pids, 999])) for pid in pids
        ]
        result = forest(processes)
        assert sorted(p.pid for p, _ in result) == sorted(pids)
        seen: dict[int, int] = {}
        for info, depth in result:
            if depth > 0:
                # The nearest shallower row above is the parent, one level up.
                assert seen.get(info.ppid) == depth - 1
                assert info.ppid > 1
            seen[info.pid] = depth


def test_prefixed_commands_line_up_like_ps() -> None:
    processes = tree((2459, 2458), (14008, 2459), (14009, 14008))
    lines = [line.prefix + str(line.info.pid) for line in forest_lines(processes)]
    assert lines == ["2459", " \\_ 14008", "     \\_ 14009"]


def test_prefixes_continue_past_ancestors_with_more_children() -> None:
    # bash has two children; the first one has a child of its own, so the line
    # under bash continues past it (ps draws " |  " there).
    processes = tree(
        (100, 50), (101, 100), (102, 101), (103, 100), (104, 103), (105, 104)
    )
    lines = [line.prefix + str(line.info.pid) for line in forest_lines(processes)]
    assert lines == [
        "100",
        " \\_ 101",
        " |   \\_ 102",
        " \\_ 103",
        "     \\_ 104",
        "         \\_ 105",
    ]
    assert [line.depth for line in forest_lines(processes)] == [0, 1, 2, 1, 2, 3]


# --- diff ---------------------------------------------------------------------

COLUMNS = parse_columns("pid,stat,time,args")


def snap(*infos: ProcessInfo, uptime: float = 5000.0) -> ProcessSnapshot:
    return ProcessSnapshot.of(infos, uptime)


def test_nothing_changed() -> None:
    a = make_info(1)
    diff = diff_snapshots(snap(a), snap(a), COLUMNS)
    assert diff.empty
    assert (diff.added, diff.removed, diff.changed, diff.cells) == ((), (), (), ())


def test_added_removed_changed() -> None:
    stays = make_info(10)
    leaves = make_info(11)
    runs = make_info(12, state="S")
    arrives = make_info(13)
    old = snap(stays, leaves, runs)
    now_running = replace(runs, state="R", cpu_time=2.0)
    new = snap(stays, now_running, arrives)
    diff = diff_snapshots(old, new, COLUMNS)
    assert diff.added == (arrives,)
    assert diff.removed == (leaves,)
    assert diff.changed == (now_running,)
    assert set(diff.cells) == {
        CellChange(runs.identity, "stat", "Rs"),
        CellChange(runs.identity, "time", "00:00:02"),
    }
    assert not diff.empty


def test_cells_only_for_the_given_columns() -> None:
    before = make_info(20, nice=0)
    after = replace(before, nice=5, cpu_time=0.5)
    diff = diff_snapshots(snap(before), snap(after), parse_columns("pid,time"))
    assert diff.changed == (after,)
    assert diff.cells == ()  # TIME still reads 00:00:00
    diff = diff_snapshots(snap(before), snap(after), parse_columns("pid,stat"))
    assert diff.cells == (CellChange(before.identity, "stat", "SNs"),)


def test_renamed_columns_report_their_name() -> None:
    before = make_info(21)
    after = replace(before, state="T")
    diff = diff_snapshots(snap(before), snap(after), parse_columns("s=X"))
    assert diff.cells == (CellChange(before.identity, "s", "T"),)


def test_reused_pid_is_removed_and_added() -> None:
    old_proc = make_info(30, start_time=100.0, comm="old", cmdline=("old",))
    new_proc = make_info(30, start_time=4000.0, comm="new", cmdline=("new",))
    diff = diff_snapshots(snap(old_proc), snap(new_proc), COLUMNS)
    assert diff.removed == (old_proc,)
    assert diff.added == (new_proc,)
    assert diff.changed == ()
    assert diff.cells == ()
    assert old_proc.identity != new_proc.identity
    assert old_proc.identity == ProcessIdentity(30, 100.0)


def test_elapsed_time_changes_with_the_clock_alone() -> None:
    proc = make_info(40, start_time=1000.0)
    columns = parse_columns("pid,etime")
    diff = diff_snapshots(snap(proc, uptime=1100.0), snap(proc, uptime=1101.0), columns)
    assert diff.changed == ()
    assert diff.cells == (CellChange(proc.identity, "etime", "01:41"),)
    # Within the same second the text does not change: nothing to redraw.
    same = diff_snapshots(snap(proc, uptime=1100.2), snap(proc, uptime=1100.7), columns)
    assert same.empty


def test_snapshot_lookup_by_identity() -> None:
    proc = make_info(50, start_time=7.5)
    snapshot = snap(make_info(60), proc, make_info(40))
    assert [p.pid for p in snapshot.processes] == [40, 50, 60]
    assert len(snapshot) == 3
    assert snapshot.get(proc.identity) is proc
    assert snapshot.get(ProcessIdentity(50, 8.0)) is None
    assert snapshot.get(ProcessIdentity(51, 7.5)) is None
    assert snapshot.by_pid[50] is proc
    assert proc.identity.key == "50@7.5"
