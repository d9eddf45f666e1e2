"""The view keeps the selected process's row after it exits (no terminal).

Other exited rows stay one refresh; the selected one stays, marked gone, for
as long as it is selected, through refreshes, re-sorts, the tree and filters,
so the cursor is never moved to another process by itself.
"""

from __future__ import annotations

from sigtui.processes.columns import parse_columns
from sigtui.processes.model import ProcessInfo, ProcessSnapshot
from sigtui.processes.view import ProcessView
from tests.spawn import make_info

COLUMNS = parse_columns("pid,user,time,args")


def snap(*processes: ProcessInfo) -> ProcessSnapshot:
    return ProcessSnapshot.of(processes, 5000.0)


def shown(view: ProcessView) -> list[tuple[int, bool]]:
    return [(row.info.pid, row.gone) for row in view.rows]


def three() -> tuple[ProcessInfo, ProcessInfo, ProcessInfo]:
    return (
        make_info(1, ppid=0, cmdline=("init",), comm="init", cpu_time=1.0),
        make_info(2, cmdline=("sleep", "100"), cpu_time=3.0),
        make_info(3, cmdline=("vim",), comm="vim", cpu_time=2.0),
    )


def test_the_selected_process_stays_gone_across_refreshes() -> None:
    a, b, c = three()
    view = ProcessView(COLUMNS)
    view.update(snap(a, b, c))
    view.selected = b.identity
    for _ in range(5):
        view.update(snap(a, c))
        assert shown(view) == [(1, False), (2, True), (3, False)]
        assert view.index_of(b.identity) == 1
        assert view.shown_count == 2


def test_an_unselected_exited_row_still_goes_after_one_refresh() -> None:
    a, b, c = three()
    view = ProcessView(COLUMNS)
    view.update(snap(a, b, c))
    view.selected = a.identity
    view.update(snap(a))
    assert shown(view) == [(1, False), (2, True), (3, True)]
    view.update(snap(a))
    assert shown(view) == [(1, False)]


def test_moving_the_selection_away_releases_the_row_at_the_next_refresh() -> None:
    a, b, c = three()
    view = ProcessView(COLUMNS)
    view.update(snap(a, b, c))
    view.selected = b.identity
    view.update(snap(a, c))
    view.update(snap(a, c))
    view.selected = c.identity
    # Rows do not shift under the cursor until the next refresh.
    assert shown(view) == [(1, False), (2, True), (3, False)]
    view.update(snap(a, c))
    assert shown(view) == [(1, False), (3, False)]


def test_selecting_an_exited_row_keeps_it() -> None:
    # The cursor may move onto a row already marked gone: it is then selected.
    a, b, c = three()
    view = ProcessView(COLUMNS)
    view.update(snap(a, b, c))
    view.update(snap(a, c))
    view.selected = b.identity
    view.update(snap(a, c))
    assert shown(view) == [(1, False), (2, True), (3, False)]


def test_selected_while_a_layout_was_being_prepared() -> None:
    # A worker prepared the layout before the cursor reached the exited row:
    # install keeps the row all the same.
    a, b, c = three()
    view = ProcessView(COLUMNS)
    view.update(snap(a, b, c))
    view.update(snap(a, c))
    layout = view.prepare(snap(a, c))
    assert b.identity not in layout.index
    view.selected = b.identity
    view.install(layout)
    assert shown(view) == [(1, False), (2, True), (3, False)]
    # Its cells are the ones it last had.
    assert view.rows[1].cells[-1] == "sleep 100"


def test_re_sorting_and_the_tree_keep_the_selected_exited_row() -> None:
    a, b, c = three()
    view = ProcessView(COLUMNS)
    view.update(snap(a, b, c))
    view.selected = b.identity
    view.update(snap(a, c))
    view.update(snap(a, c))
    view.set_sort(2)  # time
    assert shown(view) == [(1, False), (3, False), (2, True)]
    view.set_sort(2, reverse=True)
    view.update(snap(a, c))
    assert shown(view) == [(2, True), (3, False), (1, False)]
    view.set_tree(True)
    view.update(snap(a, c))
    assert (2, True) in shown(view)
    view.set_columns(parse_columns("pid,args"))
    view.update(snap(a, c))
    assert (2, True) in shown(view)


def test_a_filter_keeps_the_selected_exited_row_even_without_a_match() -> None:
    a, b, c = three()
    view = ProcessView(COLUMNS)
    view.update(snap(a, b, c))
    view.selected = b.identity
    view.update(snap(a, c))
    view.set_filter("vim")
    assert shown(view) == [(2, True), (3, False)]
    view.update(snap(a, c))
    assert shown(view) == [(2, True), (3, False)]
    assert view.shown_count == 1
    view.set_tree(True)
    assert shown(view) == [(2, True), (3, False)]
    # Another exited row that does not match is filtered out as usual.
    view.set_tree(False)
    view.update(snap(c))
    assert shown(view) == [(2, True), (3, False)]


def test_a_reused_pid_is_not_the_selected_process() -> None:
    a, b, c = three()
    reborn = make_info(2, cmdline=("other",), start_time=b.start_time + 50)
    view = ProcessView(COLUMNS)
    view.update(snap(a, b, c))
    view.selected = b.identity
    view.update(snap(a, reborn, c))
    view.update(snap(a, reborn, c))
    rows = [(r.info.pid, r.gone, r.info.start_time) for r in view.rows]
    assert (2, True, b.start_time) in rows
    assert (2, False, reborn.start_time) in rows
    assert view.index_of(b.identity) is not None


def test_a_tagged_selected_process_that_exits_leaves_the_tagged_set() -> None:
    a, b, c = three()
    view = ProcessView(COLUMNS)
    view.update(snap(a, b, c))
    view.toggle_tag(b.identity)
    view.selected = b.identity
    view.update(snap(a, c))
    assert view.tagged == set()
    assert view.tagged_processes() == []
    assert shown(view) == [(1, False), (2, True), (3, False)]


def test_a_selected_process_that_stops_matching_in_a_refresh_stays() -> None:
    # Killed but not yet reaped, a process is a zombie with no command line:
    # it no longer matches the filter, yet the cursor must not jump to the
    # other match. Then it is reaped, and stays as exited while selected.
    a, b, c = three()
    other = make_info(4, cmdline=("sleep", "200"), comm="sleep")
    zombie = make_info(2, cmdline=(), comm="x", state="Z", start_time=b.start_time)
    view = ProcessView(COLUMNS)
    view.update(snap(a, b, c, other))
    view.set_filter("sleep ")
    assert shown(view) == [(2, False), (4, False)]
    view.selected = b.identity
    view.update(snap(a, zombie, c, other))
    assert shown(view) == [(2, False), (4, False)]
    assert view.rows[0].info.state == "Z"
    view.update(snap(a, c, other))
    assert shown(view) == [(2, True), (4, False)]
    view.update(snap(a, c, other))
    assert shown(view) == [(2, True), (4, False)]


def test_a_filter_typed_by_the_user_still_hides_a_running_selected_process() -> None:
    a, b, c = three()
    view = ProcessView(COLUMNS)
    view.update(snap(a, b, c))
    view.selected = b.identity
    view.set_filter("vim")
    assert shown(view) == [(3, False)]
    view.set_filter("")
    view.selected = c.identity
    view.set_filter("sleep")
    assert shown(view) == [(2, False)]
