"""The refresh interval dialog (command palette: "Refresh interval")."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from sigtui.config import MAX_INTERVAL, MIN_INTERVAL, SettingError, parse_interval


class IntervalDialog(ModalScreen[float | None]):
    """Asks for the seconds between refreshes; dismissed with them, or None.

    A value sigtui cannot use is named under the box, and the dialog stays.

    Args:
        current: The interval now, shown in the box to start with.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel"),
    ]

    def __init__(self, current: float) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        """A title, the box and a line for problems."""
        with Vertical(id="interval-body", classes="chooser-body"):
            yield Static(
                Text("Seconds between refreshes", style="bold"),
                classes="chooser-title",
            )
            yield Input(value=f"{self.current:g}", id="interval-input")
            yield Static(
                f"{MIN_INTERVAL:g} to {MAX_INTERVAL:g}; enter: use it   escape: cancel",
                id="interval-hint",
                classes="chooser-hint",
                markup=False,
            )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            seconds = parse_interval(event.value)
        except SettingError as err:
            self.query_one("#interval-hint", Static).update(str(err))
            return
        self.dismiss(seconds)

    def action_close(self) -> None:
        """Close without a change."""
        self.dismiss(None)
