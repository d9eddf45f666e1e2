"""The settings file: where it is, what it accepts, and that a bad one is left alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sigtui.config import (
    ConfigFile,
    SettingError,
    Settings,
    config_path,
    dumps,
    load,
    parse,
    save,
)


def test_path_follows_xdg_config_home() -> None:
    assert config_path({"XDG_CONFIG_HOME": "/x/conf", "HOME": "/home/a"}) == Path(
        "/x/conf/sigtui/config.toml"
    )
    # Unset, empty or relative: ~/.config, as the XDG specification says.
    for env in ({"HOME": "/home/a"}, {"XDG_CONFIG_HOME": "", "HOME": "/home/a"}):
        assert config_path(env) == Path("/home/a/.config/sigtui/config.toml")
    assert config_path({"XDG_CONFIG_HOME": "rel", "HOME": "/h"}) == Path(
        "/h/.config/sigtui/config.toml"
    )


def test_every_setting_round_trips() -> None:
    settings = Settings(
        columns="pid,user,etime,args",
        sort="etime",
        reverse=True,
        tree=False,
        kernel_threads=True,
        interval=2.5,
        theme='my "theme"\\',
    )
    assert parse(dumps(settings)) == settings
    assert parse(dumps(Settings())) == Settings()


def test_integer_interval_and_upper_case_sort_are_taken() -> None:
    assert parse("interval = 2\nsort = 'PID'\n") == Settings(interval=2.0, sort="pid")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("columns = [", "not valid TOML"),
        ("colums = 'pid'", "unknown setting 'colums'"),
        ("columns = 'pid,nosuch'", "unknown column 'nosuch'"),
        ("columns = ''", "empty column list"),
        ("sort = 'nosuch'", "unknown column 'nosuch'"),
        ("tree = 'yes'", "tree must be true or false, not a string"),
        ("interval = 0.01", "between 0.1 and 3600"),
        ("interval = nan", "between 0.1 and 3600"),
        ("interval = true", "interval must be a number of seconds, not a boolean"),
        ("theme = 3", "theme must be a string, not a number"),
    ],
)
def test_bad_files_are_named_precisely(text: str, says: str) -> None:
    with pytest.raises(SettingError, match=says.replace("(", r"\(")):
        parse(text)


def test_a_missing_file_gives_defaults_and_may_be_written(tmp_path: Path) -> None:
    loaded = load(tmp_path / "none.toml")
    assert loaded.settings == Settings()
    assert loaded.problem is None
    assert loaded.writable


def test_a_bad_file_gives_one_message_and_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("tree = maybe\n")
    config = ConfigFile(path)
    assert config.settings == Settings()
    assert config.problem is not None
    assert str(path) in config.problem
    assert "not valid TOML" in config.problem
    assert "defaults" in config.problem
    config.started_with(Settings(tree=False))
    assert config.update(Settings(tree=True)) is None
    assert path.read_text() == "tree = maybe\n"


def test_a_file_that_is_not_utf8_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"theme = '\xff'\n")
    loaded = load(path)
    assert loaded.problem is not None
    assert "not UTF-8" in loaded.problem
    assert not loaded.writable


def test_an_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    # A directory where the file should be: reading fails for root as well.
    path = tmp_path / "config.toml"
    path.mkdir()
    loaded = load(path)
    assert loaded.problem is not None
    assert f"cannot read {path}" in loaded.problem
    assert not loaded.writable


def test_only_what_changed_is_saved_on_top_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sigtui" / "config.toml"
    path.parent.mkdir()
    path.write_text("theme = 'nord'\ninterval = 2.0\n")
    config = ConfigFile(path)
    assert config.settings == Settings(theme="nord", interval=2.0)
    # The command line said -o pid,args: in effect, but not the user's change.
    started = Settings(columns="pid,args", sort="pid", tree=False, interval=2.0)
    config.started_with(started)
    assert config.update(started) is None
    assert path.read_text() == "theme = 'nord'\ninterval = 2.0\n"  # untouched
    changed = Settings(columns="pid,args", sort="pid", tree=True, interval=2.0)
    assert config.update(changed) is None
    assert parse(path.read_text()) == Settings(theme="nord", interval=2.0, tree=True)


def test_saved_changes_accumulate(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config = ConfigFile(path)
    start = Settings(columns="pid,args", sort="pid", reverse=False, tree=False)
    config.started_with(start)
    assert config.update(Settings(columns="pid,args", sort="pid", tree=True)) is None
    assert parse(path.read_text()) == Settings(tree=True)
    now = Settings(columns="pid,args", sort="time", reverse=True, tree=True)
    assert config.update(now) is None
    assert parse(path.read_text()) == Settings(tree=True, sort="time", reverse=True)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".config.")]


def test_no_config_neither_reads_nor_writes(tmp_path: Path) -> None:
    config = ConfigFile(None)
    assert config.settings == Settings()
    assert not config.writable
    config.started_with(Settings(tree=False))
    assert config.update(Settings(tree=True)) is None
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_says_why_once(tmp_path: Path) -> None:
    path = tmp_path / "sigtui" / "config.toml"
    config = ConfigFile(path)  # no file yet: fine
    (tmp_path / "sigtui").write_text("")  # now a file stands where its folder goes
    config.started_with(Settings(tree=False))
    problem = config.update(Settings(tree=True))
    assert problem is not None
    assert "cannot save the settings" in problem
    assert config.update(Settings(tree=False)) is None  # not tried again
    assert not config.writable


def test_save_replaces_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("x" * 10_000)
    assert save(path, Settings(tree=True)) is None
    assert parse(path.read_text()) == Settings(tree=True)
    assert os.stat(path).st_size < 200
