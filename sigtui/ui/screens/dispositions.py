"""The demo's dispositions: choose catch, ignore, default or hold per signal.

Typing filters the signals, as in the signal picker (a name, an alias or a
number); shift+C, I, D and H choose, so that every lowercase letter of a name
can be typed. The filter is kept by the screen, not by an Input: a focused
Input would take the shifted letters too. The dialog is dismissed with the
signal it was left on, so that the next one opens there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from sigtui.signals import Catalogue, SignalSpec
from sigtui.ui.screens.picker import matches

EXPLAIN = (
    "C catch: the demo logs it · I ignore: SIG_IGN, the kernel discards it · "
    "D default: SIG_DFL, the default action really happens · H hold: blocked, "
    "stays pending (standard signals merge, realtime ones queue) until you "
    "choose catch again · escape closes"
)

FILTER_HINT = "Type to filter: a name, an alias or a number (15, term, usr1)"
"""What the filter line says while nothing is typed."""


class DispositionScreen(ModalScreen[int | None]):
    """Lists the catchable signals with what the demo does with each.

    Dismissed with the number of the signal under the cursor (None if none).

    Args:
        signals: The catalogue.
        current: The dispositions known so far (default: catch).
        choose: Called with a signal and the new disposition.
        start: The signal to put the cursor on (default: the first).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("C", "set('catch')", "Catch", priority=True),
        Binding("I", "set('ignore')", "Ignore", priority=True),
        Binding("D", "set('default')", "Default", priority=True),
        Binding("H", "set('hold')", "Hold", priority=True),
        Binding("escape", "close", "Close"),
    ]
    """One shifted key per disposition; other typing goes to the filter."""

    def __init__(
        self,
        signals: Catalogue,
        current: Mapping[int, str],
        choose: Callable[[SignalSpec, str], None],
        start: int | None = None,
    ) -> None:
        super().__init__()
        self.specs = [s for s in signals if s.catchable]
        self.shown = list(self.specs)
        self.current = dict(current)
        self._choose = choose
        self._start = start
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        """The table and the explanation."""
        with Vertical(id="dispositions-body"):
            yield Static(
                Text("What the demo child does with each signal", style="bold")
            )
            yield Static(FILTER_HINT, id="dispositions-filter", markup=False)
            table: DataTable[Text | str] = DataTable(
                id="dispositions-table", cursor_type="row"
            )
            yield table
            yield Static(EXPLAIN, id="dispositions-help", markup=False)

    def on_mount(self) -> None:
        """Fill the table, on the signal it was left on last time."""
        table = self.query_one("#dispositions-table", DataTable)
        table.add_column("#", key="number")
        table.add_column("Signal", key="name")
        table.add_column("Demo does", key="disposition")
        self._fill("", self._start)
        table.focus()

    def _fill(self, text: str, keep: int | None) -> None:
        """List the signals that match ``text``, the cursor on ``keep`` if shown."""
        table = self.query_one("#dispositions-table", DataTable)
        table.clear()
        self.shown = [spec for spec in self.specs if matches(spec, text)]
        for spec in self.shown:
            table.add_row(
                Text(str(spec.number), justify="right"),
                spec.name,
                self.current.get(spec.number, "catch"),
                key=str(spec.number),
            )
        numbers = [spec.number for spec in self.shown]
        if keep in numbers:
            table.move_cursor(row=numbers.index(keep), animate=False)

    @property
    def highlighted(self) -> SignalSpec | None:
        """The signal under the cursor, if any."""
        table = self.query_one("#dispositions-table", DataTable)
        if 0 <= table.cursor_row < len(self.shown):
            return self.shown[table.cursor_row]
        return None

    def on_key(self, event: events.Key) -> None:
        """Typing filters the list; backspace takes the last character back.

        Args:
            event: The key (the shifted disposition keys never get here).
        """
        text = self.filter_text
        if event.key == "backspace":
            text = text[:-1]
        elif event.character is not None and event.is_printable:
            text += event.character
        else:
            return
        event.stop()
        event.prevent_default()
        self.filter_text = text
        box = self.query_one("#dispositions-filter", Static)
        box.update(f"Filter: {text}▏" if text else FILTER_HINT)
        spec = self.highlighted
        self._fill(text, spec.number if spec is not None else None)

    def update_disposition(self, signo: int, disposition: str) -> None:
        """Show a change the demo acknowledged.

        Args:
            signo: The signal number.
            disposition: Its new disposition.
        """
        self.current[signo] = disposition
        if any(spec.number == signo for spec in self.shown):
            table = self.query_one("#dispositions-table", DataTable)
            table.update_cell(str(signo), "disposition", disposition)

    def action_set(self, disposition: str) -> None:
        """Ask the demo to use a disposition for the highlighted signal.

        Args:
            disposition: ``catch``, ``ignore``, ``default`` or ``hold``.
        """
        spec = self.highlighted
        if spec is not None:
            self._choose(spec, disposition)

    def action_close(self) -> None:
        """Close the panel, with the signal it was left on."""
        spec = self.highlighted
        self.dismiss(spec.number if spec is not None else None)
