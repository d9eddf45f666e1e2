"""htop's keys in the real app on sample data: F6 < > P M T N, F3, u, K, F2.

Also the palette (every key's action is there), the help screen and the
settings record with its change hook.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from sigtui.config import Settings
from sigtui.delivery.dry import DrySyscalls
from sigtui.processes import columns as registry
from sigtui.processes.columns import COLUMNS, Align, Column, Field
from sigtui.processes.sample import SAMPLE_SELF_PID, SampleSource, sample_snapshot
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.keys import SORT_KEYS
from sigtui.ui.options import Deps, Options
from sigtui.ui.screens.choosers import ColumnPicker, SortPicker, UserPicker
from sigtui.ui.screens.help import HelpScreen
from sigtui.ui.theme import PROJECTOR_THEME
from tests.pilot import settle

SIZE = (110, 30)

COLUMNS_SHOWN = "pid,pgid,tty,stat,time,args"
"""The columns the tests start with (without %CPU and RSS, so P and M add them)."""


def build() -> SigtuiApp:
    return make_app(
        Options(columns=COLUMNS_SHOWN, interval=3600),
        Deps(
            syscalls=DrySyscalls(sample_snapshot()),
            source=SampleSource(),
            self_pid=SAMPLE_SELF_PID,
            hostname="testhost",
        ),
    )


def status(app: SigtuiApp) -> str:
    return str(app.query_one("#status").render())


def shown_pids(app: SigtuiApp) -> list[int]:
    return [row.info.pid for row in app.main.view.rows]


def header_line(app: SigtuiApp) -> str:
    return app.main.table.render_line(0).text


def sorted_by(app: SigtuiApp) -> tuple[str, bool]:
    view = app.main.view
    return view.columns[view.sort_index].name, view.reverse


def current_pid(app: SigtuiApp) -> int | None:
    row = app.main.table.current
    return None if row is None else row.info.pid


def record(app: SigtuiApp, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Record toasts, settings hook calls and the columns told to the scanner."""
    seen: dict[str, list[Any]] = {"toasts": [], "settings": [], "columns": []}
    notify = app.notify

    def recording_notify(message: str, **kwargs: Any) -> None:
        seen["toasts"].append(message)
        notify(message, **kwargs)

    monkeypatch.setattr(app, "notify", recording_notify)
    monkeypatch.setattr(
        app.main,
        "_settings_changed",
        lambda: seen["settings"].append(app.main.settings),
    )
    show_columns = app.main.show_columns

    def recording_show_columns(columns: Sequence[Column]) -> None:
        seen["columns"].append(tuple(columns))
        show_columns(columns)

    monkeypatch.setattr(app.main, "show_columns", recording_show_columns)
    return seen


async def highlight(pilot: Pilot[int], options: OptionList, option_id: str) -> None:
    """Move a list's highlight down to an option, with the arrow key."""
    for _ in range(options.option_count):
        highlighted = options.highlighted
        if (
            highlighted is not None
            and options.get_option_at_index(highlighted).id == option_id
        ):
            return
        await pilot.press("down")
    raise AssertionError(f"no option {option_id}")


# -- F6, <, >: the sort column ---------------------------------------------------------


async def test_f6_lists_the_columns_chooses_one_and_flips_the_current_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = build()
    seen = record(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f6")
        picker = app.screen
        assert isinstance(picker, SortPicker)
        options = picker.query_one(OptionList)
        assert options.option_count == len(app.main.view.columns)
        assert options.highlighted == 0  # on the current sort column, marked
        assert str(options.get_option_at_index(0).prompt).startswith("▲ PID")
        await pilot.press("down", "down", "down", "down", "enter")  # TIME
        assert not isinstance(app.screen, SortPicker)
        assert sorted_by(app) == ("time", False)
        cpu = [row.info.cpu_time for row in app.main.view.rows]
        assert cpu == sorted(cpu)
        assert "TIME ▲" in header_line(app)
        # The current column again: the other direction.
        await pilot.press("f6")
        assert app.screen.query_one(OptionList).highlighted == 4
        await pilot.press("enter")
        assert sorted_by(app) == ("time", True)
        assert "sorted by TIME ▼" in status(app)
        assert seen["settings"][-1].sort == "time"
        assert seen["settings"][-1].reverse
        # Escape leaves it as it is.
        await pilot.press("f6", "up", "escape")
        assert sorted_by(app) == ("time", True)


async def test_less_and_greater_move_the_sort_column() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("greater_than_sign")
        assert sorted_by(app) == ("pgid", False)
        await pilot.press("greater_than_sign", "less_than_sign", "less_than_sign")
        assert sorted_by(app)[0] == "pid"
        await pilot.press("less_than_sign")  # wraps to the last column
        assert sorted_by(app)[0] == "args"
        assert "COMMAND ▲" in header_line(app)


# -- P, M, T, N ------------------------------------------------------------------------


async def test_t_sorts_by_cpu_time_highest_first_and_n_by_pid() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        assert sorted_by(app) == ("time", True)
        assert shown_pids(app)[0] == 4151  # cc1, 65 s
        assert "sorted by TIME ▼" in status(app)
        await pilot.press("N")
        assert sorted_by(app) == ("pid", False)
        assert shown_pids(app) == sorted(shown_pids(app))


async def test_i_inverts_the_sort_as_in_htop() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("I")
        assert sorted_by(app) == ("pid", True)
        assert shown_pids(app) == sorted(shown_pids(app), reverse=True)


def stand_in(name: str, header: str, field: Field) -> Column:
    """The registry's own column if it has one, else one on an unused field."""
    return COLUMNS.get(name, Column(name, field, header, 5, Align.RIGHT))


@pytest.mark.parametrize(
    ("key", "what", "name", "field"),
    [
        pytest.param("P", "cpu", "%cpu", Field.UID, id="P"),
        pytest.param("M", "memory", "%mem", Field.PPID, id="M"),
    ],
)
async def test_p_and_m_add_the_column_and_sort_highest_first(
    monkeypatch: pytest.MonkeyPatch, key: str, what: str, name: str, field: Field
) -> None:
    # Until sigtui has %CPU and %MEM columns, stand-ins with the same ps
    # names are registered; once it has them, the real ones are used.
    column = stand_in(name, name.upper(), field)
    monkeypatch.setitem(registry.COLUMNS, name, column)
    app = build()
    seen = record(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert column not in app.main.view.columns
        await pilot.press(key)
        await settle(app, pilot)
        assert app.main.view.columns[app.main.view.sort_index] == column
        assert app.main.view.columns[-1].name == "args"  # the command stays last
        assert app.main.view.reverse
        keys = [
            column.sort_value(r.info, app.main.view.snapshot)
            for r in app.main.view.rows
        ]
        assert keys == sorted(keys, reverse=True)
        assert f"{column.header} ▼" in header_line(app)
        assert seen["columns"]
        assert column in seen["columns"][-1]
        assert name in seen["settings"][-1].columns.split(",")
        # Again: the column is there now; it is not added twice.
        await pilot.press("T", key)
        assert [c.name for c in app.main.view.columns].count(name) == 1
        assert app.main.view.columns[app.main.view.sort_index] == column
        assert SORT_KEYS[what][1][0] == name


@pytest.mark.parametrize("key", ["P", "M"])
async def test_p_and_m_say_so_when_there_is_no_such_column(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    what = {"P": "cpu", "M": "memory"}[key]
    for name in SORT_KEYS[what][1]:
        monkeypatch.delitem(registry.COLUMNS, name, raising=False)
    app = build()
    seen = record(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        columns = app.main.view.columns
        await pilot.press(key)
        assert app.main.view.columns == columns
        assert sorted_by(app) == ("pid", False)
        first = SORT_KEYS[what][1][0]
        assert seen["toasts"] == [
            f"Cannot sort by {SORT_KEYS[what][0]}: this sigtui has no {first} column."
        ]


# -- F3: search ------------------------------------------------------------------------


async def test_f3_jumps_to_matches_without_hiding_any_row() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        everyone = shown_pids(app)
        await pilot.press("f3")
        box = app.query_one("#search", Input)
        assert app.screen.has_class("-searching")
        assert app.focused is box
        await pilot.press(*"sshd")
        assert current_pid(app) == 412
        assert shown_pids(app) == everyone  # nothing hidden
        await pilot.press("enter")
        assert current_pid(app) == 3010
        await pilot.press("f3")
        assert current_pid(app) == 3021
        await pilot.press("f3")  # wraps around
        assert current_pid(app) == 412
        assert box.border_subtitle == ""
        await pilot.press(*"zzz")
        assert box.border_subtitle == "no match"
        assert current_pid(app) == 412  # stays where it was
        await pilot.press("escape")
        assert not app.screen.has_class("-searching")
        assert app.main.table.has_focus
        assert current_pid(app) == 412
        assert shown_pids(app) == everyone
        assert app.main.view.filter_text == ""


async def test_f3_starts_a_new_search_from_the_cursor() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("end", "f3", *"postgres")
        # From the last row the search wraps to the first postgres process.
        assert current_pid(app) == 980
        await pilot.press("escape", "f3", *"alice", "enter")
        assert current_pid(app) == 3021  # "sshd: alice [priv]" is root's


# -- u: one user's processes -----------------------------------------------------------


async def test_u_lists_users_with_counts_filters_and_clears() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("u")
        picker = app.screen
        assert isinstance(picker, UserPicker)
        assert picker.counts == [("alice", 11), ("root", 3), ("postgres", 2)]
        options = picker.query_one(OptionList)
        prompts = [
            str(options.get_option_at_index(i).prompt)
            for i in range(options.option_count)
        ]
        assert prompts[0] == "▶ all users  16 processes"
        assert prompts[3] == "  postgres  2 processes"
        await highlight(pilot, options, "user-postgres")
        await pilot.press("enter")
        assert shown_pids(app) == [980, 981]
        assert "user: postgres (u)" in status(app)
        assert "(2 shown)" in status(app)
        # It holds across a refresh, and in the tree.
        app.main.request_scan()
        await settle(app, pilot)
        await pilot.press("t")
        assert shown_pids(app) == [980, 981]
        await pilot.press("u")
        options = app.screen.query_one(OptionList)
        assert options.highlighted == 3  # on the user shown now
        await pilot.press("home", "enter")
        assert len(shown_pids(app)) == 16
        assert "user:" not in status(app)


async def test_u_escape_changes_nothing() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("u", "down", "escape")
        assert not isinstance(app.screen, UserPicker)
        assert app.main.view.user is None
        assert len(shown_pids(app)) == 16


# -- K: kernel threads -----------------------------------------------------------------


async def test_k_shows_and_hides_kernel_threads_hidden_at_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = build()
    seen = record(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert {2, 3}.isdisjoint(shown_pids(app))
        assert "2 kernel threads hidden (K)" in status(app)
        assert not app.main.settings.kernel_threads
        await pilot.press("K")
        assert {2, 3} <= set(shown_pids(app))
        assert "kernel thread" not in status(app)
        assert seen["settings"][-1].kernel_threads
        app.main.request_scan()
        await settle(app, pilot)
        assert {2, 3} <= set(shown_pids(app))
        await pilot.press("K")
        assert {2, 3}.isdisjoint(shown_pids(app))
        assert "2 kernel threads hidden (K)" in status(app)
        assert not seen["settings"][-1].kernel_threads


# -- F2: columns -----------------------------------------------------------------------


async def test_f2_removes_reorders_and_adds_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = build()
    seen = record(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f2")
        picker = app.screen
        assert isinstance(picker, ColumnPicker)
        choices = picker.chooser.choices
        assert [c.column.name for c in choices[:6]] == [
            "pid",
            "pgid",
            "tty",
            "stat",
            "time",
            "args",
        ]
        assert [c.shown for c in choices[:7]] == [True] * 6 + [False]
        options = picker.query_one(OptionList)
        assert str(options.get_option_at_index(0).prompt).startswith("[x] PID")
        await pilot.press("down", "down", "space")  # tty off
        assert str(options.get_option_at_index(2).prompt).startswith("[ ] TT")
        await pilot.press("down", "down", "minus", "shift+up")  # time up twice
        assert options.highlighted == 2
        user = next(i for i, c in enumerate(choices) if c.column.name == "user")
        await pilot.press(*["down"] * (user - 2), "space", "enter")
        assert not isinstance(app.screen, ColumnPicker)
        names = ["pid", "pgid", "time", "stat", "args", "user"]
        assert [c.name for c in app.main.view.columns] == names
        assert header_line(app).split()[:4] == ["PID", "▲", "PGID", "TIME"]
        assert "USER" in header_line(app)
        assert "TT" not in header_line(app).split()
        assert seen["columns"][-1] == app.main.view.columns
        assert seen["settings"][-1].columns == ",".join(names)
        # plus moves down; escape throws the changes away.
        await pilot.press("f2", "plus", "space", "escape")
        assert [c.name for c in app.main.view.columns] == names


async def test_f2_refuses_to_apply_no_column() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f2")
        for _ in range(6):
            await pilot.press("space", "down")
        await pilot.press("enter")
        assert isinstance(app.screen, ColumnPicker)  # still open
        await pilot.press("escape")
        assert len(app.main.view.columns) == 6


# -- palette, help, settings -----------------------------------------------------------


async def test_every_new_action_is_in_the_command_palette() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        names = {command.title for command in app.get_system_commands(app.screen)}
        for name in (
            "Sort by",
            "Sort back",
            "Sort by CPU",
            "Sort by memory",
            "Sort by time",
            "Search",
            "User",
            "Kernel threads",
            "Columns",
            "Projector",
        ):
            assert name in names
        # Run from the palette: projector mode, whose key moved from P to J.
        await pilot.press("ctrl+p", *"projector")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.main.projector
        assert app.theme == PROJECTOR_THEME.name


async def test_projector_key_is_j_and_p_sorts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = build()
    record(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("P")
        assert not app.main.projector
        await pilot.press("J")
        assert app.main.projector
        assert "projector" in status(app)
        # The theme the settings keep is the one to come back to.
        assert app.main.settings.theme != PROJECTOR_THEME.name
        await pilot.press("J")
        assert not app.main.projector


async def test_help_lists_the_htop_keys() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True, file=io.StringIO())
        for widget in app.screen.query(Static):
            console.print(widget.content)
        lines = console.export_text().splitlines()
        for key, what in (
            ("f6", "Choose the sort column"),
            ("s >", "next column"),
            ("<", "previous column"),
            ("S I", "Reverse"),
            ("P", "%CPU"),
            ("M", "memory"),
            ("T", "CPU time"),
            ("u", "one user"),
            ("K", "kernel threads"),
            ("f2", "columns"),
            ("f3", "next match, hiding nothing"),
            ("J", "High contrast"),
        ):
            entry = re.compile(rf"(^|\s\s){re.escape(key)}\s+[^\n]*{what}")
            assert any(entry.search(line) for line in lines), key


async def test_settings_record_what_the_user_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = build()
    seen = record(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.main.settings == Settings(
            columns="pid,pgid,tty,stat,time,args",
            sort="pid",
            reverse=False,
            tree=False,
            kernel_threads=False,
            interval=3600,
            theme=app.theme,
        )
        await pilot.press("t", "S", "s")
        assert len(seen["settings"]) == 3
        assert seen["settings"][-1] == app.main.settings
        assert (app.main.settings.tree, app.main.settings.reverse) == (True, True)
        assert app.main.settings.sort == "pgid"
        app.theme = "textual-light"
        await pilot.pause()
        assert seen["settings"][-1].theme == "textual-light"
