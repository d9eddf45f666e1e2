"""Unit tests: process trees (ps --forest layout) and snapshot lookup."""

from __future__ import annotations

import random

from sigtui.processes.model import ProcessIdentity, ProcessInfo, ProcessSnapshot
from sigtui.processes.tree import forest_lines
from tests.spawn import make_info


def tree(*pairs: tuple[int, int]) -> list[ProcessInfo]:
    """Processes from (pid, ppid) pairs, in the order given."""
    return [make_info(pid, ppid=ppid) for pid, ppid in pairs]


def layout(processes: list[ProcessInfo]) -> list[tuple[int, int]]:
    return [(line.info.pid, line.depth) for line in forest_lines(processes)]


# --- forest_lines -------------------------------------------------------------


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
    lines = forest_lines([gone, new, child])
    result = [(line.info.identity, line.depth) for line in lines]
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
        result = forest_lines(processes)
        assert sorted(line.info.pid for line in result) == sorted(pids)
        seen: dict[int, int] = {}
        for info, depth, _prefix in result:
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


# --- snapshots ----------------------------------------------------------------


def snap(*infos: ProcessInfo, uptime: float = 5000.0) -> ProcessSnapshot:
    return ProcessSnapshot.of(infos, uptime)


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
