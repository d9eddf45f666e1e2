"""The settings file in the app: what it starts with, what it saves, what it says."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from sigtui.config import ConfigFile, Settings, parse
from sigtui.delivery.dry import DrySyscalls
from sigtui.processes.sample import SAMPLE_SELF_PID, SampleSource, sample_snapshot
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Deps, Options
from sigtui.ui.screens.interval import IntervalDialog
from tests.pilot import log_text, settle

SIZE = (110, 30)


def build(config: ConfigFile, options: Options | None = None) -> SigtuiApp:
    return make_app(
        options,
        Deps(
            syscalls=DrySyscalls(sample_snapshot()),
            source=SampleSource(),
            self_pid=SAMPLE_SELF_PID,
            hostname="testhost",
            config=config,
        ),
    )


def headers(app: SigtuiApp) -> list[str]:
    return [column.header for column in app.main.view.columns]


async def test_the_files_columns_and_interval_are_used(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("columns = 'pid,user,args'\ninterval = 3600\n")
    app = build(ConfigFile(path))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert headers(app) == ["PID", "USER", "COMMAND"]
        assert app.main.interval == 3600.0


async def test_the_command_line_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("columns = 'pid,user,args'\ninterval = 3600\n")
    app = build(ConfigFile(path), Options(columns="pid,comm", interval=1800))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert headers(app) == ["PID", "COMMAND"]
        assert app.main.interval == 1800.0
    # Nothing was changed in the app, so nothing was written.
    assert parse(path.read_text()) == Settings(columns="pid,user,args", interval=3600)


async def test_a_bad_file_is_named_once_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("columns = 'pid,nosuch'\n")
    app = build(ConfigFile(path), Options(interval=3600))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = log_text(app)
        assert log.count("Settings file ignored") == 1
        assert "unknown column 'nosuch'" in log
        assert str(path) in log
        assert headers(app)[:2] == ["PID", "PGID"]  # the defaults
    assert path.read_text() == "columns = 'pid,nosuch'\n"


async def test_the_file_sets_sort_tree_kernel_threads_and_theme(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "sort = 'time'\nreverse = true\ntree = true\n"
        "kernel_threads = true\ntheme = 'nord'\n"
    )
    app = build(ConfigFile(path), Options(interval=3600))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        view = app.main.view
        assert view.columns[view.sort_index].name == "time"
        assert view.reverse
        assert view.tree
        assert view.kernel_threads
        assert app.theme == "nord"
    # Starting with them is no change: the file is as it was.
    assert "kernel_threads = true" in path.read_text()
    assert path.read_text().startswith("sort = 'time'")


async def test_what_the_user_changes_is_saved_and_only_that(tmp_path: Path) -> None:
    path = tmp_path / "sigtui" / "config.toml"
    app = build(ConfigFile(path), Options(columns="pid,user,time,args", interval=3600))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not path.exists()  # nothing changed yet
        await pilot.press("t")
        await settle(app, pilot)
        assert parse(path.read_text()) == Settings(tree=True)
        await pilot.press("T")  # htop's sort by time, highest first
        await settle(app, pilot)
        assert parse(path.read_text()) == Settings(tree=True, sort="time", reverse=True)
        await pilot.press("K")
        await settle(app, pilot)
    saved = parse(path.read_text())
    # -o from the command line was in effect, not chosen in the table: not kept.
    assert saved == Settings(tree=True, sort="time", reverse=True, kernel_threads=True)
    # The next run starts where this one ended.
    again = build(ConfigFile(path), Options(interval=3600))
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert again.main.view.tree
        assert again.main.view.kernel_threads
        assert again.main.view.reverse


async def test_no_config_writes_nothing(tmp_path: Path) -> None:
    app = build(ConfigFile(None), Options(interval=3600))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t", "K")
        await settle(app, pilot)
        assert app.main.view.tree
    assert list(tmp_path.iterdir()) == []


async def test_a_bad_file_is_not_overwritten_by_changes(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("tree = 'yes'\n")
    app = build(ConfigFile(path), Options(interval=3600))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t", "K")
        await settle(app, pilot)
        assert app.main.view.tree
    assert path.read_text() == "tree = 'yes'\n"


async def test_a_failed_save_is_said_once(tmp_path: Path) -> None:
    path = tmp_path / "sigtui" / "config.toml"
    app = build(ConfigFile(path), Options(interval=3600))
    (tmp_path / "sigtui").write_text("")  # a file where the folder must go
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t", "t", "K")
        await settle(app, pilot)
        log = log_text(app)
    assert log.count("Settings not saved") == 1
    assert str(path) in log


async def test_an_unknown_theme_is_named_and_the_default_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("theme = 'no-such-theme'\n")
    app = build(ConfigFile(path), Options(interval=3600))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        log = log_text(app)
        assert "no theme called 'no-such-theme'" in log
        assert app.theme == "textual-dark"


async def test_the_interval_is_changed_from_the_palette_and_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.toml"
    app = build(ConfigFile(path), Options(interval=3600))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"refresh interval")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, IntervalDialog)
        box = app.screen.query_one(Input)
        assert box.value == "3600"
        box.value = ""
        await pilot.press(*"0.01", "enter")
        await settle(app, pilot)
        hint = str(app.screen.query_one("#interval-hint", Static).render())
        assert "between 0.1 and 3600" in hint
        assert isinstance(app.screen, IntervalDialog)  # still asking
        box.value = ""
        await pilot.press(*"2.5", "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, IntervalDialog)
        assert app.main.interval == 2.5
        status = str(app.query_one("#status", Static).render())
        assert "every 2.5 s" in status
        # The refresh timer runs at the new pace, not the old hour.
        assert app.main._timer is not None
    assert parse(path.read_text()) == Settings(interval=2.5)


async def test_escape_leaves_the_interval_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    app = build(ConfigFile(path), Options(interval=3600))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.main.action_set_interval()
        await settle(app, pilot)
        await pilot.press("backspace", "1", "escape")
        await settle(app, pilot)
        assert app.main.interval == 3600
    assert not path.exists()
