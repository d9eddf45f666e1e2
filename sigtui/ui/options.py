"""What the app is asked to do, and what it works through.

:class:`Options` is what a user chooses (the command line's flags);
:class:`Deps` is what the app reads and acts through: the live system by
default, fakes in tests and in the screenshots. :func:`sigtui.ui.app.make_app`
takes one of each. Plain Python: no Textual here.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TextIO

from sigtui.config import DEFAULT_INTERVAL, ConfigFile, starting_columns
from sigtui.delivery import Syscalls
from sigtui.delivery.watch import current_state
from sigtui.processes import (
    Column,
    ProcessInfo,
    ProcessSource,
)
from sigtui.signals import SignalState
from sigtui.signals.reader import read_state_of
from sigtui.trace.feed import FeedState, TraceFeed
from sigtui.trace.records import Record

if TYPE_CHECKING:
    from sigtui.lessons import Lesson


class Feed(Protocol):
    """A source of traced records: :class:`~sigtui.trace.feed.TraceFeed`, or a fake."""

    def start(self) -> None:
        """Start tracing; records and state changes come through the callbacks."""

    def stop(self) -> None:
        """Stop tracing (may block briefly)."""


FeedFactory = Callable[
    [Callable[[list[Record]], None], Callable[[FeedState], None]], Feed
]
"""Builds a feed from its two callbacks (records, state), both called off the UI
thread."""


@dataclass(frozen=True)
class Options:
    """What the user asked for.

    Attributes:
        columns: Parsed columns or a ps ``-o`` list; None for the settings
            file's, else :data:`DEFAULT_COLUMNS`.
        interval: Seconds between refreshes; None for the settings file's,
            else one second.
        readonly: Refuse every send.
        grace: Seconds ``x`` waits after SIGTERM before SIGKILL.
        demo: Start the demo child at launch.
        projector: Start in projector mode.
        lesson: A guided lesson to start at launch.
        handle_signals: Exit cleanly on SIGTERM and SIGHUP (the command line
            sets this; tests leave the test runner's handlers alone).
        log_file: Where to append every log entry as a JSON line.
        trace: Trace every signal on the machine from the kernel's
            tracepoints (the command line sets it unless ``--no-trace``;
            tests leave it off unless they mean to trace).
    """

    columns: Sequence[Column] | str | None = None
    interval: float | None = None
    readonly: bool = False
    grace: float = 5.0
    demo: bool = False
    projector: bool = False
    lesson: Lesson | None = None
    handle_signals: bool = False
    log_file: TextIO | None = None
    trace: bool = False

    def column_list(self, config: ConfigFile) -> tuple[Column, ...]:
        """The columns to start with: these options', else the settings file's.

        Args:
            config: The settings file.

        Returns:
            The columns, parsed.
        """
        return starting_columns(self.columns, config)

    def refresh_interval(self, config: ConfigFile) -> float:
        """The seconds between refreshes: these options', else the file's.

        Args:
            config: The settings file.

        Returns:
            The interval.
        """
        return self.interval or config.settings.interval or DEFAULT_INTERVAL


def _no_config() -> ConfigFile:
    return ConfigFile(None)


@dataclass(frozen=True)
class Deps:
    """What the app reads and acts through.

    Attributes:
        source: Where processes come from; None for this system's scanner,
            reading what the columns need.
        read_state: Reads a process's signal masks.
        state_of: Reads a process's state letter, for watching outcomes.
        syscalls: The system calls sending uses.
        clock: The current time, for start times and the log.
        self_pid: The pid to mark as sigtui itself.
        hostname: The host name shown in the status line.
        config: The settings file: its problem, if any, is shown at start,
            and the settings the user changes are saved to it.
        trace_feed: Builds the feed of traced signals (when tracing is on).
        monotonic: ``time.monotonic()``, the clock of traced records.
    """

    source: ProcessSource | None = None
    read_state: Callable[[ProcessInfo], SignalState] = read_state_of
    state_of: Callable[[ProcessInfo], str | None] = current_state
    syscalls: Syscalls = field(default_factory=Syscalls)
    clock: Callable[[], float] = time.time
    self_pid: int = field(default_factory=os.getpid)
    hostname: str = field(default_factory=socket.gethostname)
    config: ConfigFile = field(default_factory=_no_config)
    trace_feed: FeedFactory = TraceFeed
    monotonic: Callable[[], float] = time.monotonic
