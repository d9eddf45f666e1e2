"""The settings file in the app: what it starts with, what it saves, what it says."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Log

from sigtui.config import ConfigFile, Settings, parse
from sigtui.delivery.dry import DrySyscalls
from sigtui.processes.sample import SAMPLE_SELF_PID, SampleSource, sample_snapshot
from sigtui.ui.app import SigtuiApp, make_app

SIZE = (110, 30)


def build(config: ConfigFile, **options: object) -> SigtuiApp:
    return make_app(
        syscalls=DrySyscalls(sample_snapshot()),
        source=SampleSource(),
        self_pid=SAMPLE_SELF_PID,
        hostname="testhost",
        config=config,
        **options,  # type: ignore[arg-type]
    )


def headers(app: SigtuiApp) -> list[str]:
    return [column.header for column in app.view.columns]


async def test_the_files_columns_and_interval_are_used(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("columns = 'pid,user,args'\ninterval = 3600\n")
    app = build(ConfigFile(path))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert headers(app) == ["PID", "USER", "COMMAND"]
        assert app.interval == 3600.0


async def test_the_command_line_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("columns = 'pid,user,args'\ninterval = 3600\n")
    app = build(ConfigFile(path), columns="pid,comm", interval=1800)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert headers(app) == ["PID", "COMMAND"]
        assert app.interval == 1800.0
    # Nothing was changed in the app, so nothing was written.
    assert parse(path.read_text()) == Settings(columns="pid,user,args", interval=3600)


async def test_a_bad_file_is_named_once_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("columns = 'pid,nosuch'\n")
    app = build(ConfigFile(path), interval=3600)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = "\n".join(app.query_one("#log", Log).lines)
        assert log.count("Settings file ignored") == 1
        assert "unknown column 'nosuch'" in log
        assert str(path) in log
        assert headers(app)[:2] == ["PID", "PGID"]  # the defaults
    assert path.read_text() == "columns = 'pid,nosuch'\n"
