"""The sigtui application: the App, which holds the main screen and what is app-wide.

Build it with :func:`make_app`; the command line, the tests and the screenshot
script all do, so they see the same app. The table, its keys and everything
they show live on :class:`~sigtui.ui.screens.main.MainScreen`.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
import threading
from collections.abc import Iterable
from functools import partial
from typing import Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from sigtui.processes import default_scanner
from sigtui.processes.columns import sources_of
from sigtui.ui.options import Deps, Options
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.theme import PROJECTOR_THEME

SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the GIL while another waits (see on_mount)."""

EXIT_WATCHDOG = 3.0
"""Seconds an exit on SIGTERM/SIGHUP may take before sigtui ends regardless."""


class SigtuiApp(App[int]):
    """Lists processes live, like ``ps``, and sends them signals safely.

    Args:
        options: What the user asked for.
        deps: What the app reads and acts through.
    """

    CSS_PATH = "sigtui.tcss"
    TITLE = "sigtui"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,f10", "quit", "Quit", tooltip="Leave sigtui"),
        Binding("question_mark,f1", "help", "Help", tooltip="Keys and marks"),
    ]
    """App-wide keys; the main screen has the rest."""

    def __init__(self, options: Options, deps: Deps) -> None:
        super().__init__()
        self.options = options
        self.deps = deps
        self.config = deps.config
        source = deps.source
        if source is None:
            columns = options.column_list(deps.config)
            source = default_scanner(sources=sources_of(columns))
        self.register_theme(PROJECTOR_THEME)
        self.main = MainScreen(options, deps, source)
        self._switch_interval = sys.getswitchinterval()

    def get_default_screen(self) -> Screen[Any]:
        """The main screen, at the bottom of the stack for the whole run."""
        return self.main

    def on_mount(self) -> None:
        """Keep keys quick while scanning; exit cleanly on SIGTERM/SIGHUP if asked."""
        # The scan worker runs Python for tens of milliseconds at 10,000
        # processes; each time the UI thread wants the GIL back it waits up to
        # this interval (5 ms by default), and a key press needs it a dozen
        # times. 0.5 ms keeps keys quick for a few more thread switches.
        sys.setswitchinterval(SWITCH_INTERVAL)
        if self.options.handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(signum, self._exit_on_signal, signum)

    def on_key(self, event: events.Key) -> None:
        """Give a box the keys that were typed for it before it had the focus.

        Keys typed fast (a paste, tmux's send-keys) are all queued on the
        table before the first is handled, and reach the app only after
        ``/`` has moved the focus to the filter box. The box would have
        taken them, so they are not the table's commands (``t``, ``q``...):
        they go to the box, in order.

        Args:
            event: A key that bubbled up to the app.
        """
        focused = self.focused
        if focused is not None and focused.check_consume_key(
            event.key, event.character
        ):
            # The focused widget stops every key it takes: this one never
            # reached it.
            event.prevent_default()
            event.stop()
            focused.post_message(events.Key(event.key, event.character))

    def on_unmount(self) -> None:
        """Give back the switch interval and the objects frozen at the first scan."""
        sys.setswitchinterval(self._switch_interval)
        gc.unfreeze()

    def _exit_on_signal(self, signum: int) -> None:
        # Leaving through App.exit lets the driver restore the terminal
        # (alternate screen, cursor, mouse) before the process ends.
        self.stop_children()
        # When the terminal itself has gone (SIGHUP from a closed window),
        # Textual's shutdown can block for ever: its writer thread dies on the
        # write error with its queue full, and stopping it waits for room in
        # that queue. Whatever happens, sigtui must still end.
        watchdog = threading.Timer(EXIT_WATCHDOG, os._exit, args=(128 + signum,))
        watchdog.daemon = True
        watchdog.start()
        self.exit(return_code=128 + signum)

    def stop_children(self) -> None:
        """End the demo child, the lesson's processes and tracing (blocks briefly)."""
        self.main.stop_demo()
        self.main.stop_lesson()
        self.main.stop_trace()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, every key's action and every lesson, for ctrl+p.

        Args:
            screen: The screen the palette was opened on.

        Yields:
            The commands.
        """
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action != "quit":
                yield SystemCommand(
                    binding.description,
                    binding.tooltip or binding.description,
                    partial(self.run_action, binding.action),
                )
        for binding in self.main.BINDINGS:
            if isinstance(binding, Binding) and not binding.action.startswith("app."):
                yield SystemCommand(
                    binding.description,
                    binding.tooltip or binding.description,
                    partial(self.run_action, binding.action, self.main),
                )
        yield SystemCommand(
            "Refresh interval",
            "Seconds between refreshes (kept in the settings file)",
            self.main.action_set_interval,
        )
        from sigtui.lessons import LESSONS

        for lesson in LESSONS:
            yield SystemCommand(
                f"Lesson {lesson.number}: {lesson.title}",
                f"Start guided lesson {lesson.number} ({lesson.name}): "
                f"{lesson.summary}",
                partial(self.main.start_lesson, lesson),
            )

    async def action_quit(self) -> None:
        """Stop the demo child and any lesson, then leave."""
        await asyncio.to_thread(self.stop_children)
        self.exit()

    def action_help(self) -> None:
        """Show the keys and what the marks mean."""
        from sigtui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.main.BINDINGS))


def make_app(options: Options | None = None, deps: Deps | None = None) -> SigtuiApp:
    """Build the app, for the command line, the tests and the screenshots alike.

    Args:
        options: What the user asked for (default: every default).
        deps: What the app reads and acts through (default: this system).

    Returns:
        The app, not yet running.
    """
    return SigtuiApp(options or Options(), deps or Deps())
