"""Run the tracer as a separate process and hand its records to the caller.

Standard library only. The TUI cannot trace in its own process: moving to a
private mount namespace needs a single-threaded process, and parsing a flood
of events would take the UI's GIL. A :class:`TraceFeed` starts
``python -m sigtui trace --feed`` (its standard input is a lifeline: when the
TUI ends, even by SIGKILL, the reader sees its end of file and removes its
instance), reads its JSON lines on a thread and calls back with each batch.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sigtui.trace.command import READY
from sigtui.trace.events import whole_lines
from sigtui.trace.records import Record, from_json

STARTING = "Tracing is starting."
"""The sentence of a feed's state until its reader says it traces, or fails."""

READY_LINE = json.dumps({"type": READY})[:-1]
"""How the reader's first line begins, once it traces (``{"type": "ready"``)."""

STOP_WAIT = 2.0
"""Seconds :meth:`TraceFeed.stop` waits for the reader to remove its instance."""


@dataclass(frozen=True)
class FeedState:
    """Whether tracing is on, and if not, why.

    Attributes:
        on: True while records flow.
        sentence: Why it is off (for the user), or "" while it is on.
        instance: The tracing instance's name while on.
    """

    on: bool
    sentence: str = ""
    instance: str = ""


def reader_command() -> list[str]:
    """The command line of the reader process."""
    return [sys.executable, "-m", "sigtui", "trace", "--feed"]


class TraceFeed:
    """A reader process of ``sigtui trace --feed`` and the thread that reads it.

    The callbacks run on the feed's thread, one at a time; they must not
    block (post a message to the UI).

    Args:
        on_records: Called with each batch of records.
        on_state: Called when tracing turns on, and once when it is off for
            good (with the reason).
        command: The reader's command line (tests give another).
    """

    def __init__(
        self,
        on_records: Callable[[list[Record]], None],
        on_state: Callable[[FeedState], None],
        command: Sequence[str] | None = None,
    ) -> None:
        self._on_records = on_records
        self._on_state = on_state
        self._command = list(command or reader_command())
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.state = FeedState(on=False, sentence=STARTING)

    @property
    def pid(self) -> int | None:
        """The reader process's pid, while it runs."""
        return self._process.pid if self._process else None

    def start(self) -> None:
        """Start the reader process and the thread that reads it."""
        self._process = subprocess.Popen(
            self._command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
            # A ^C typed in the TUI's terminal is for the TUI, not the reader.
            start_new_session=True,
        )
        self._thread = threading.Thread(
            target=self._read, name="trace-feed", daemon=True
        )
        self._thread.start()

    def _set_state(self, state: FeedState) -> None:
        self.state = state
        self._on_state(state)

    def _read(self) -> None:
        process = self._process
        assert process is not None
        assert process.stdout is not None
        fd = process.stdout.fileno()
        partial = b""
        while True:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                data = b""
            if not data:
                break
            # Decoded a batch at once rather than by json.loads line by line
            # (it detects and decodes each): the reader writes ASCII.
            lines, partial = whole_lines(partial, data)
            records: list[Record] = []
            append = records.append
            for line in lines:
                if line.startswith(READY_LINE):
                    name = json.loads(line).get("instance", "")
                    self._set_state(FeedState(on=True, instance=str(name)))
                    continue
                try:
                    append(from_json(line))
                except ValueError:
                    continue
            if records:
                self._on_records(records)
        status = process.wait()
        error = b""
        if process.stderr is not None:
            with contextlib.suppress(OSError):
                error = process.stderr.read()
        sentence = error.decode(errors="replace").strip().removeprefix("sigtui trace: ")
        if not sentence:
            sentence = (
                "Tracing stopped."
                if self._stopping
                else f"Tracing is off: the reader ended (status {status})."
            )
        self._set_state(FeedState(on=False, sentence=sentence.splitlines()[-1]))

    def stop(self) -> None:
        """End the reader (it removes its instance) and wait for it, briefly."""
        process = self._process
        if process is None:
            return
        self._stopping = True
        with contextlib.suppress(OSError):
            if process.stdin is not None:
                process.stdin.close()
        try:
            process.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(STOP_WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._thread is not None:
            self._thread.join(STOP_WAIT)
