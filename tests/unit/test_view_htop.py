"""htop's habits in the view model: K, u, F3, P/M/T, F2 and the settings record."""

from __future__ import annotations

import pytest

from sigtui.processes import columns as registry
from sigtui.processes.chooser import ColumnChooser, column_choices, columns_spec
from sigtui.processes.columns import (
    COLUMNS,
    Align,
    Column,
    Field,
    parse_columns,
)
from sigtui.processes.model import PF_KTHREAD, ProcessInfo, ProcessSnapshot
from sigtui.processes.view import ProcessView
from tests.spawn import make_info

COLUMNS_SHOWN = parse_columns("pid,user,time,args")


def snap(*processes: ProcessInfo) -> ProcessSnapshot:
    return ProcessSnapshot.of(processes, 5000.0)


def pids(view: ProcessView) -> list[int]:
    return [row.info.pid for row in view.rows]


def kthread(pid: int) -> ProcessInfo:
    return make_info(pid, ppid=2, pgid=0, sid=0, flags=PF_KTHREAD, cmdline=())


def machine() -> list[ProcessInfo]:
    return [
        make_info(1, ppid=0, user="root", cmdline=("init",)),
        make_info(2, ppid=0, pgid=0, sid=0, flags=PF_KTHREAD, cmdline=()),
        kthread(3),
        kthread(4),
        make_info(10, user="alice", cmdline=("bash",)),
        make_info(11, ppid=10, user="alice", cmdline=("vim", "notes")),
        make_info(12, ppid=10, user="bob", cmdline=("make",)),
        make_info(13, user=None, cmdline=("mystery",)),
    ]


# -- K: kernel threads -----------------------------------------------------------------


def test_kernel_threads_are_hidden_by_default_and_counted() -> None:
    view = ProcessView(COLUMNS_SHOWN)
    view.update(snap(*machine()))
    assert pids(view) == [1, 10, 11, 12, 13]
    assert view.kernel_hidden == 3
    assert view.shown_count == 5


def test_kernel_threads_shown_and_hidden_again() -> None:
    view = ProcessView(COLUMNS_SHOWN)
    view.update(snap(*machine()))
    view.set_kernel_threads(True)
    assert pids(view) == [1, 2, 3, 4, 10, 11, 12, 13]
    assert view.kernel_hidden == 0
    view.set_kernel_threads(False)
    assert 3 not in pids(view)
    assert view.kernel_hidden == 3


def test_hidden_kernel_threads_stay_hidden_in_the_tree_and_when_gone() -> None:
    view = ProcessView(COLUMNS_SHOWN, tree=True)
    view.update(snap(*machine()))
    assert {2, 3, 4}.isdisjoint(pids(view))
    view.update(snap(*[p for p in machine() if p.pid not in (3, 12)]))
    # pid 12 is shown once more as gone; the gone kernel thread is not.
    assert [(r.info.pid, r.gone) for r in view.rows if r.gone] == [(12, True)]
    assert view.shown_count == 4
    assert view.kernel_hidden == 2


def test_a_layout_prepared_before_k_is_laid_out_again() -> None:
    view = ProcessView(COLUMNS_SHOWN)
    layout = view.prepare(snap(*machine()))
    view.set_kernel_threads(True)
    view.install(layout)
    assert 2 in pids(view)


# -- u: one user's processes -----------------------------------------------------------


def test_user_counts_list_every_owner_with_how_many() -> None:
    view = ProcessView(COLUMNS_SHOWN)
    view.update(snap(*machine()))
    assert view.user_counts() == [("alice", 2), ("?", 1), ("bob", 1), ("root", 1)]
    view.set_kernel_threads(True)
    assert view.user_counts()[0] == ("root", 4)


def test_user_filter_shows_one_user_then_everyone() -> None:
    view = ProcessView(COLUMNS_SHOWN)
    view.update(snap(*machine()))
    view.set_user("alice")
    assert pids(view) == [10, 11]
    view.set_user("?")
    assert pids(view) == [13]
    view.set_user(None)
    assert pids(view) == [1, 10, 11, 12, 13]


def test_user_filter_combines_with_the_text_filter_and_the_tree() -> None:
    view = ProcessView(COLUMNS_SHOWN, tree=True)
    view.update(snap(*machine()))
    view.set_user("alice")
    assert pids(view) == [10, 11]
    view.set_filter("vim")
    assert pids(view) == [11]
    view.set_filter("")
    view.update(snap(*machine()))
    assert pids(view) == [10, 11]


# -- F3: search without hiding ---------------------------------------------------------


def test_find_jumps_to_the_next_match_and_wraps_without_hiding() -> None:
    view = ProcessView(COLUMNS_SHOWN)
    view.update(snap(*machine()))
    # rows: 1 init, 10 bash, 11 vim, 12 make, 13 mystery
    assert view.find("ALICE", 0) == 1
    assert view.find("alice", 1) == 1  # the row itself matches
    assert view.find("alice", 1, skip=True) == 2
    assert view.find("alice", 2, skip=True) == 1  # wrapped around
    assert view.find("nothing like it", 0) is None
    assert view.find("", 0) is None
    assert view.find("11", 4, skip=True) == 2  # by pid too
    assert pids(view) == [1, 10, 11, 12, 13]  # nothing hidden


# -- P/M/T: sort by a named column -----------------------------------------------------


def test_sort_by_uses_a_shown_column_with_the_same_field() -> None:
    view = ProcessView(COLUMNS_SHOWN)
    view.update(snap(*[make_info(p, cpu_time=float(p % 3)) for p in (1, 2, 3)]))
    found = view.sort_by(["cputime", "time"], reverse=True)
    assert found is not None
    column, added = found
    assert (column.name, added) == ("time", False)
    assert view.columns[view.sort_index].field is Field.TIME
    assert view.reverse
    assert pids(view) == [2, 1, 3]


def test_sort_by_adds_a_missing_column_before_the_command() -> None:
    view = ProcessView(parse_columns("pid,args"))
    view.update(snap(*[make_info(p, cpu_time=float(p)) for p in (1, 2, 3)]))
    found = view.sort_by(["time"], reverse=True)
    assert found == (COLUMNS["time"], True)
    assert [c.name for c in view.columns] == ["pid", "time", "args"]
    assert view.sort_index == 1
    assert pids(view) == [3, 2, 1]


def test_sort_by_unknown_names_changes_nothing() -> None:
    view = ProcessView(COLUMNS_SHOWN)
    assert view.sort_by(["no-such-column"], reverse=True) is None
    assert view.columns == COLUMNS_SHOWN
    assert (view.sort_index, view.reverse) == (0, False)


def cpu_and_memory_names() -> list[str]:
    """The CPU and memory columns, once the registry has them."""
    return [n for n in ("%cpu", "pcpu", "%mem", "pmem", "rss") if n in COLUMNS]


def test_sort_by_reads_the_registry_when_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Whether or not this sigtui has a %CPU column, a column registered after
    # import is found: P and M work as soon as the registry has them.
    stand_in = Column("%cpu", Field.UID, "%CPU", 4, Align.RIGHT)
    monkeypatch.setitem(registry.COLUMNS, "%cpu", COLUMNS.get("%cpu", stand_in))
    column = registry.COLUMNS["%cpu"]
    view = ProcessView(parse_columns("pid,args"))
    view.update(snap(*[make_info(p, uid=p * 7 % 5) for p in (1, 2, 3)]))
    found = view.sort_by(["%cpu", "pcpu"], reverse=True)
    assert found == (column, True)
    keys = [column.sort_value(r.info, view.snapshot) for r in view.rows]
    assert keys == sorted(keys, reverse=True)
    assert all(name in COLUMNS for name in cpu_and_memory_names())


# -- F2: the column chooser ------------------------------------------------------------


def test_chooser_offers_every_field_once_with_the_shown_ones_first() -> None:
    shown = parse_columns("time,pid,args")
    choices = column_choices(shown)
    assert [c.column.name for c in choices[:3]] == ["time", "pid", "args"]
    assert [c.shown for c in choices[:4]] == [True, True, True, False]
    fields = [c.column.field for c in choices]
    assert len(fields) == len(set(fields)) == len({c.field for c in COLUMNS.values()})
    pid = choices[1]
    assert "tgid" in pid.aliases
    assert "pid" not in pid.aliases
    tty = next(c for c in choices if c.column.field is Field.TTY)
    assert tty.column.name == "tty"
    assert {"tt", "tname"} <= set(tty.aliases)
    assert "tty" not in tty.aliases


def test_chooser_toggles_and_moves_columns() -> None:
    chooser = ColumnChooser(parse_columns("pid,tty,args"))
    chooser.toggle(1)  # tty off
    assert [c.name for c in chooser.chosen] == ["pid", "args"]
    user = next(i for i, c in enumerate(chooser.choices) if c.column.name == "user")
    chooser.toggle(user)
    at = chooser.move(user, -user)  # to the top
    assert at == 0
    assert [c.name for c in chooser.chosen] == ["user", "pid", "args"]
    assert chooser.move(0, -1) == 0  # already first
    last = len(chooser.choices) - 1
    assert chooser.move(last, 1) == last
    # user, pid, tty (unticked), args: pid two down goes after args.
    assert chooser.move(1, 2) == 3
    assert [c.name for c in chooser.chosen] == ["user", "args", "pid"]


# -- settings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "written"),
    [
        ("pid,pgid,tty,stat,time,args", "pid,pgid,tty,stat,time,args"),
        ("pid=ID,tname,cmd", "pid=ID,tname,cmd"),
        ("pid=,args", "pid=,args"),
    ],
)
def test_columns_spec_reads_back_as_the_same_columns(spec: str, written: str) -> None:
    columns = parse_columns(spec)
    assert columns_spec(columns) == written
    assert parse_columns(columns_spec(columns)) == columns
