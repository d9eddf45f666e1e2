"""The view model: layouts prepared off the UI thread, filter, tree, gone rows."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from sigtui.processes.columns import parse_columns
from sigtui.processes.layout import haystack
from sigtui.processes.model import ProcessInfo, ProcessSnapshot
from sigtui.processes.view import Layout, ProcessView
from tests.spawn import make_info

COLUMNS = parse_columns("pid,user,time,args")


def snap(*processes: ProcessInfo, uptime: float = 5000.0) -> ProcessSnapshot:
    return ProcessSnapshot.of(processes, uptime)


def pids(view: ProcessView) -> list[int]:
    return [row.info.pid for row in view.rows]


def family() -> list[ProcessInfo]:
    return [
        make_info(10, ppid=1, cmdline=("bash",), comm="bash", user="alice"),
        make_info(11, ppid=10, cmdline=("vim", "notes"), comm="vim", user="alice"),
        make_info(12, ppid=10, cmdline=("make",), comm="make", user="bob"),
        make_info(13, ppid=12, cmdline=("cc", "x.c"), comm="cc", user="bob"),
    ]


def test_a_vanished_process_stays_one_refresh_as_gone() -> None:
    view = ProcessView(COLUMNS)
    a, b = make_info(1), make_info(2)
    view.update(snap(a, b))
    view.update(snap(a))
    assert [(r.info.pid, r.gone) for r in view.rows] == [(1, False), (2, True)]
    assert view.shown_count == 1
    view.update(snap(a))
    assert pids(view) == [1]


def test_sort_and_reverse_by_any_column() -> None:
    view = ProcessView(COLUMNS)
    view.update(snap(*[make_info(p, cpu_time=10.0 - p) for p in (1, 2, 3)]))
    view.set_sort(2)  # time
    assert pids(view) == [3, 2, 1]
    view.set_sort(2, reverse=True)
    assert pids(view) == [1, 2, 3]
    with pytest.raises(IndexError):
        view.set_sort(9)


def test_filter_searches_pid_user_and_command_and_ignores_case() -> None:
    view = ProcessView(COLUMNS)
    view.update(snap(*family()))
    view.set_filter("ALICE")
    assert pids(view) == [10, 11]
    view.set_filter("x.c")
    assert pids(view) == [13]
    view.set_filter("12")
    assert pids(view) == [12]
    # Fields are searched one by one, never across a boundary.
    view.set_filter("bob\0make")
    assert pids(view) == []
    view.set_filter("alicevim")
    assert pids(view) == []
    view.set_filter("  ")
    assert pids(view) == [10, 11, 12, 13]


def test_filtered_widths_follow_the_rows_shown() -> None:
    long_user = make_info(20, user="a-very-long-user-name", cmdline=("x",))
    view = ProcessView(parse_columns("pid,time,args"))
    many_cpu = make_info(21, cpu_time=360000.0, cmdline=("busy",))
    view.update(snap(long_user, many_cpu))
    wide = view.column_widths(100)[1]
    view.set_filter("busy")
    assert view.column_widths(100)[1] == wide
    view.set_filter("x")
    assert view.column_widths(100)[1] < wide
    assert sum(view.column_widths(100)) + 2 == 100


def test_tree_with_a_filter_nests_only_the_matches() -> None:
    view = ProcessView(COLUMNS, tree=True)
    view.update(snap(*family()))
    assert [(r.info.pid, r.depth) for r in view.rows] == [
        (10, 0),
        (11, 1),
        (12, 1),
        (13, 2),
    ]
    view.set_filter("bob")
    # bash is filtered out, so make is a root now and cc its child.
    assert [(r.info.pid, r.depth) for r in view.rows] == [(12, 0), (13, 1)]
    assert view.rows[1].cells[-1].endswith("cc x.c")


def test_a_layout_prepared_in_another_thread_installs_unchanged() -> None:
    view = ProcessView(COLUMNS)
    first = snap(*family())
    view.update(first)
    later = snap(*family()[:3], make_info(14, cmdline=("new",)))
    prepared: list[object] = []
    worker = threading.Thread(target=lambda: prepared.append(view.prepare(later)))
    worker.start()
    worker.join(timeout=10)
    assert pids(view) == [10, 11, 12, 13]  # nothing shown before install
    (layout,) = prepared
    view.install(layout)  # type: ignore[arg-type]
    assert [(r.info.pid, r.gone) for r in view.rows] == [
        (10, False),
        (11, False),
        (12, False),
        (13, True),
        (14, False),
    ]
    assert view.index_of_pid(14) == 4
    assert view.index_of_pid(13) is None  # gone


def test_an_order_changed_while_preparing_wins() -> None:
    view = ProcessView(COLUMNS)
    view.update(snap(*family()))
    layout = view.prepare(snap(*family()))
    view.set_sort(0, reverse=True)  # the user sorts while the scan is laid out
    view.install(layout)
    assert pids(view) == [13, 12, 11, 10]


def test_unchanged_processes_keep_their_cells_changed_ones_are_redone() -> None:
    view = ProcessView(COLUMNS)
    a, b = make_info(1, cpu_time=1.0), make_info(2, cpu_time=1.0)
    view.update(snap(a, b))
    cells_a = view.rows[0].cells
    view.update(snap(a, replace(b, cpu_time=125.0)))
    assert view.rows[0].cells is cells_a
    assert view.rows[1].cells[2] == "00:02:05"


def test_elapsed_time_moves_even_when_nothing_else_does() -> None:
    view = ProcessView(parse_columns("pid,etime"))
    a = make_info(1, start_time=1000.0)
    view.update(snap(a, uptime=1010.0))
    assert view.rows[0].cells[1].strip() == "00:10"
    view.update(snap(a, uptime=1070.0))
    assert view.rows[0].cells[1].strip() == "01:10"


def test_tags_of_exited_processes_go() -> None:
    view = ProcessView(COLUMNS)
    a, b = make_info(1), make_info(2)
    view.update(snap(a, b))
    assert view.toggle_tag(a.identity)
    assert view.toggle_tag(b.identity)
    view.update(snap(b))
    assert view.tagged == {b.identity}
    assert view.tagged_processes() == [b]
    # A new process with a reused pid is not tagged.
    view.update(snap(replace(b, start_time=2000.0)))
    assert view.tagged_processes() == []


def test_other_columns_remake_every_cell_and_keep_the_sort_field() -> None:
    view = ProcessView(COLUMNS)
    view.update(snap(*family()))
    view.set_sort(1, reverse=True)  # user
    view.set_tree(True)
    view.set_columns(parse_columns("pid,pgid,tty,stat,user,args"))
    assert [c.header for c in view.columns][-1] == "COMMAND"
    assert view.columns[view.sort_index].header == "USER"
    assert all(len(row.cells) == 6 for row in view.rows)
    # The tree prefix still goes before the command, in its new place.
    cc = next(row for row in view.rows if row.info.pid == 13)
    assert cc.cells[-1].endswith("cc x.c")
    assert cc.cells[-1] != "cc x.c"
    view.set_columns(parse_columns("pid,args"))
    assert view.columns[view.sort_index].header == "PID"
    assert [len(row.cells) for row in view.rows] == [2] * 4
    with pytest.raises(ValueError, match="at least one column"):
        view.set_columns([])


def test_a_layout_prepared_for_the_old_columns_is_remade_on_install() -> None:
    view = ProcessView(COLUMNS)
    view.update(snap(*family()))
    layout = view.prepare(snap(*family()[:3]))
    view.set_columns(parse_columns("pid,args"))
    view.install(layout)
    assert [len(row.cells) for row in view.rows] == [2] * 4
    assert [row.gone for row in view.rows] == [False, False, False, True]
    assert view.column_widths(40)[0] >= 5


def test_equal_cells_of_different_processes_are_one_string() -> None:
    # Most processes share their terminal, state, %CPU, time and often their
    # command: one string each, not one per row.
    view = ProcessView(parse_columns("pid,tty,stat,time,args"))
    view.update(snap(*[make_info(p, cmdline=("worker", "--serve")) for p in (1, 2)]))
    first, second = (row.cells for row in view.rows)
    assert first[0] != second[0]  # the pids differ
    assert first[1:] == second[1:]
    assert all(a is b for a, b in zip(first[1:], second[1:], strict=True))


def test_filter_rows_are_those_whose_text_contains_it_never_across_rows() -> None:
    # A match may not begin in one row and end in the next ("z" ends a
    # row, "1" begins the next); each matching row is listed once, in order.
    processes = [
        make_info(pid, cmdline=(f"job{pid}z", "zz"), comm=f"c{pid}z", user="u")
        for pid in range(100, 160)
    ]
    view = ProcessView(COLUMNS)
    view.update(snap(*processes))
    for needle in ("z1", "z", "zz", "1", "15", "159", "job12", "c159z", "u"):
        view.set_filter(needle)
        expected = [p.pid for p in processes if needle.lower() in haystack(p)]
        assert pids(view) == expected, needle
    view.set_filter("U")  # every row
    assert pids(view) == [p.pid for p in processes]


def test_a_layout_prepared_while_filtering_shows_its_own_matches() -> None:
    # The worker lists the rows' texts for the filter when it prepares a
    # layout; the filter may change before the layout is shown.
    view = ProcessView(COLUMNS)
    view.update(snap(*family()))
    view.set_filter("make")
    newer = make_info(14, ppid=12, cmdline=("make", "-j2"), comm="make")
    prepared: list[Layout] = []
    worker = threading.Thread(
        target=lambda: prepared.append(view.prepare(snap(*family(), newer)))
    )
    worker.start()
    worker.join(timeout=10)
    assert pids(view) == [12]
    view.set_filter("mak")
    view.install(prepared[0])
    assert pids(view) == [12, 14]
    view.set_filter("j2")
    assert pids(view) == [14]
    view.set_filter("")
    assert pids(view) == [10, 11, 12, 13, 14]


def test_the_row_index_finds_every_row_and_tells_a_reused_pid_apart() -> None:
    view = ProcessView(COLUMNS)
    old = make_info(7, start_time=10.0, cpu_time=5.0)
    others = [make_info(p, cpu_time=float(p % 4)) for p in (3, 900, 12, 4000)]
    view.update(snap(old, *others))
    view.set_sort(2)  # by time: rows are not in pid order
    new = make_info(7, start_time=20.0, cpu_time=1.0)
    layout = view.prepare(snap(new, *others))  # pid 7 now names another process
    view.install(layout)
    assert [r.info.pid for r in layout.rows].count(7) == 2
    for at, row in enumerate(layout.rows):
        assert layout.index.get(row.info.identity) == at
        assert row.info.identity in layout.index
    assert len(layout.index) == len(layout.rows)
    assert layout.index.get(make_info(7, start_time=30.0).identity) is None
    assert layout.index.get(make_info(8).identity) is None
    assert "7" not in layout.index


def test_a_layout_keeps_of_the_previous_scan_only_its_gone_processes() -> None:
    view = ProcessView(COLUMNS)
    a, b, c = make_info(1), make_info(2), make_info(3)
    view.update(snap(a, b, c, uptime=100.0))
    layout = view.prepare(snap(a, uptime=101.0))
    view.install(layout)
    previous = layout.previous
    assert [p.pid for p in previous.processes] == [2, 3]
    assert previous.uptime == 100.0
    assert [(r.info.pid, r.gone) for r in view.rows] == [
        (1, False),
        (2, True),
        (3, True),
    ]


def test_rows_made_from_parts_are_the_rows_prepare_shows() -> None:
    first, second = family()[:2], family()[2:]
    ahead = ProcessView(COLUMNS)
    ahead.premake(snap(*first))
    ahead.premake(snap(*second))
    made = {p.pid: c for p, c in ((p, ahead._premade[p.identity]) for p in family())}
    ahead.install(ahead.prepare(snap(*family())))
    plain = ProcessView(COLUMNS)
    plain.update(snap(*family()))
    assert [row.cells for row in ahead.rows] == [row.cells for row in plain.rows]
    # prepare took the rows made ahead rather than making them again, and
    # does not keep them for another scan.
    assert all(row.cells is made[row.info.pid].cells for row in ahead.rows)
    assert ahead._premade == {}


def test_rows_made_from_parts_for_other_columns_are_not_used() -> None:
    view = ProcessView(COLUMNS)
    view.premake(snap(*family()))
    view.set_columns(parse_columns("pid,args"))
    view.install(view.prepare(snap(*family())))
    assert [len(row.cells) for row in view.rows] == [2] * 4
    assert view.rows[1].cells[1] == "vim notes"


def test_clock_columns_are_not_made_ahead() -> None:
    view = ProcessView(parse_columns("pid,etime"))
    a = make_info(1, start_time=1000.0)
    view.premake(snap(a, uptime=1010.0))
    assert view._premade == {}
    view.update(snap(a, uptime=1070.0))
    assert view.rows[0].cells[1].strip() == "01:10"
