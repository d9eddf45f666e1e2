"""The settings a user changes in the TUI, kept in a TOML file between runs.

``$XDG_CONFIG_HOME/sigtui/config.toml`` (``~/.config/sigtui/config.toml``
when the variable is unset) holds the columns, the sort, the tree view, whether
kernel threads are shown, the refresh interval and the theme. The file is read
with the standard library's :mod:`tomllib` and written by hand (the values are
a few strings, numbers and booleans), through a temporary file renamed over
the old one so that a crash never leaves half a file.

A file that cannot be read, parsed or understood is never overwritten: sigtui
says once what is wrong with it and starts with the defaults, so that a typo
in a hand-edited file costs nothing but the message.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from sigtui.processes.columns import (
    COLUMNS,
    DEFAULT_COLUMNS,
    Column,
    ColumnError,
    parse_columns,
)

MIN_INTERVAL = 0.1
"""The shortest refresh interval, in seconds (as ``--interval`` takes it)."""

MAX_INTERVAL = 3600.0
"""The longest refresh interval, in seconds."""

DEFAULT_INTERVAL = 1.0
"""The refresh interval when neither the command line nor the file sets one."""


@dataclass(frozen=True)
class Settings:
    """What the user chose; None means "not chosen: use the default".

    Attributes:
        columns: The columns as a ps ``-o`` list (``pid,pgid,%cpu,args``).
        sort: The ps name of the column sorted by (``%cpu``).
        reverse: Sorted descending.
        tree: Children shown under their parents.
        kernel_threads: Kernel threads shown (they are hidden by default).
        interval: Seconds between refreshes.
        theme: The name of the Textual theme.
    """

    columns: str | None = None
    sort: str | None = None
    reverse: bool | None = None
    tree: bool | None = None
    kernel_threads: bool | None = None
    interval: float | None = None
    theme: str | None = None

    def changed_from(self, before: Settings) -> dict[str, Any]:
        """The settings that differ from ``before``, by name.

        Args:
            before: The settings to compare with.

        Returns:
            Each setting whose value is not the same in both, with its value here.
        """
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) != getattr(before, f.name)
        }


@dataclass(frozen=True)
class Loaded:
    """What reading the file gave.

    Attributes:
        settings: The settings to start with (all None after a problem).
        problem: One sentence saying what is wrong with the file, or None.
        writable: Whether changes may be saved to it: False after a problem,
            so that a file the user must fix is never replaced.
    """

    settings: Settings
    problem: str | None = None
    writable: bool = True


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the settings live, following the XDG base directory rules.

    Args:
        environ: The environment (default: this process's).

    Returns:
        ``$XDG_CONFIG_HOME/sigtui/config.toml``; a relative or empty
        ``XDG_CONFIG_HOME`` is ignored, as the specification says.
    """
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME", "")
    if not base or not os.path.isabs(base):
        home = env.get("HOME") or os.path.expanduser("~")
        base = os.path.join(home, ".config")
    return Path(base) / "sigtui" / "config.toml"


class SettingError(ValueError):
    """A value in the file is not one sigtui can use; the message says why."""


def _string(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise SettingError(f"{name} must be a string, not {_kind(value)}")
    return value


def _boolean(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise SettingError(f"{name} must be true or false, not {_kind(value)}")
    return value


def _columns(name: str, value: object) -> str:
    text = _string(name, value)
    try:
        parse_columns(text)
    except ColumnError as err:
        raise SettingError(f"{name}: {err}") from None
    return text


def _sort(name: str, value: object) -> str:
    text = _string(name, value)
    if text.lower() not in COLUMNS:
        raise SettingError(f"{name}: unknown column {text!r}")
    return text.lower()


def _interval(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingError(f"{name} must be a number of seconds, not {_kind(value)}")
    seconds = float(value)
    if not math.isfinite(seconds) or not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise SettingError(
            f"{name} must be between {MIN_INTERVAL:g} and {MAX_INTERVAL:g} seconds"
        )
    return seconds


def parse_interval(text: str) -> float:
    """Read a refresh interval typed by the user.

    Args:
        text: Seconds, as a number (``2``, ``0.5``).

    Returns:
        The seconds.

    Raises:
        SettingError: For text that is not a number, or one out of range.
    """
    try:
        value = float(text)
    except ValueError:
        raise SettingError(f"{text.strip()!r} is not a number of seconds") from None
    return _interval("the interval", value)


def _kind(value: object) -> str:
    """Name a TOML value's type the way the file's author would."""
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


_CHECKS = {
    "columns": _columns,
    "sort": _sort,
    "reverse": _boolean,
    "tree": _boolean,
    "kernel_threads": _boolean,
    "interval": _interval,
    "theme": _string,
}
"""Each setting's name in the file and what checks (and converts) its value."""


def parse(text: str) -> Settings:
    """Read settings from the text of a config file.

    Args:
        text: TOML.

    Returns:
        The settings it sets (the rest None).

    Raises:
        SettingError: For TOML that does not parse, an unknown setting or a
            value sigtui cannot use; the message names it.
    """
    # Imported here: `sigtui ps` loads this module for the interval limits,
    # and tomllib alone costs it 25 ms of start-up.
    import tomllib

    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SettingError(f"not valid TOML: {err}") from None
    values: dict[str, Any] = {}
    for name, value in table.items():
        check = _CHECKS.get(name)
        if check is None:
            known = ", ".join(_CHECKS)
            raise SettingError(f"unknown setting {name!r} (known: {known})")
        values[name] = check(name, value)
    return Settings(**values)


def load(path: Path) -> Loaded:
    """Read the settings file, if there is one.

    Args:
        path: The file (see :func:`config_path`).

    Returns:
        The settings; a missing file gives the defaults and may be created
        later; any other problem gives the defaults, a message, and a file
        that will not be written.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Loaded(Settings())
    except OSError as err:
        reason = err.strerror or str(err)
        return Loaded(Settings(), f"cannot read {path}: {reason}", writable=False)
    try:
        return Loaded(parse(data.decode("utf-8")))
    except UnicodeDecodeError:
        problem = "not UTF-8 text"
    except SettingError as err:
        problem = str(err)
    return Loaded(
        Settings(),
        f"{path}: {problem}; starting with the defaults and leaving the file as it is",
        writable=False,
    )


def dumps(settings: Settings) -> str:
    """Write settings as TOML (only those that are set).

    Args:
        settings: The settings.

    Returns:
        The file's text; :func:`parse` reads it back to the same settings.
    """
    import json

    lines = ["# sigtui's settings, saved when you change them in sigtui."]
    for f in fields(settings):
        value = getattr(settings, f.name)
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float):
            text = repr(value)
        else:
            # A JSON string is a TOML basic string: the same escapes, and
            # ensure_ascii keeps control characters out of the file.
            text = json.dumps(str(value))
        lines.append(f"{f.name} = {text}")
    return "\n".join(lines) + "\n"


def save(path: Path, settings: Settings) -> str | None:
    """Write the settings file, replacing it whole.

    Args:
        path: The file.
        settings: What to keep.

    Returns:
        None on success, or one sentence saying why it could not be written.
    """
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(
            prefix=".config.", suffix=".toml", dir=path.parent
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(dumps(settings))
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as err:
        return f"cannot save the settings to {path}: {err.strerror or err}"
    return None


def starting_columns(
    chosen: Sequence[Column] | str | None, config: ConfigFile
) -> tuple[Column, ...]:
    """The columns to start with: those chosen, else the settings file's.

    Args:
        chosen: Parsed columns or a ps ``-o`` list from the command line,
            or None.
        config: The settings file.

    Returns:
        The columns, parsed (:data:`DEFAULT_COLUMNS` when neither says).
    """
    columns = chosen or config.settings.columns or DEFAULT_COLUMNS
    if isinstance(columns, str):
        return tuple(parse_columns(columns))
    return tuple(columns)


class ConfigFile:
    """The settings file for one run: what it said, and what to write back.

    Only what the user changes during the run is written, on top of what the
    file already held, so a ``-o`` or ``--interval`` given once on the command
    line does not become the new default.

    Args:
        path: The file, or None to neither read nor write one (``--no-config``).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        loaded = Loaded(Settings()) if path is None else load(path)
        self.settings = loaded.settings
        self.problem = loaded.problem
        self._writable = path is not None and loaded.writable
        self._started: Settings | None = None

    @property
    def writable(self) -> bool:
        """Whether changes are saved (a file, and nothing wrong with it)."""
        return self._writable

    def started_with(self, effective: Settings) -> None:
        """Note the settings in effect at start, after the command line.

        Args:
            effective: Every setting as the app starts with it.
        """
        self._started = effective

    def update(self, effective: Settings) -> str | None:
        """Save the settings the user has changed since the start.

        Args:
            effective: Every setting as it is now.

        Returns:
            None if saved or nothing to save, else why it could not be saved
            (after which nothing more is tried).
        """
        if self.path is None or not self._writable or self._started is None:
            return None
        changed = effective.changed_from(self._started)
        if not changed:
            return None
        wanted = replace(self.settings, **changed)
        if wanted == self.settings:
            return None
        problem = save(self.path, wanted)
        if problem is not None:
            self._writable = False
            return problem
        self.settings = wanted
        self._started = effective
        return None
