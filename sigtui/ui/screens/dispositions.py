"""The demo's dispositions: choose catch, ignore, default or hold per signal."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from sigtui.signals import Catalogue, SignalSpec

EXPLAIN = (
    "c catch: the demo logs it · i ignore: SIG_IGN, the kernel discards it · "
    "d default: SIG_DFL, the default action really happens · h hold: blocked, "
    "stays pending (standard signals merge, realtime ones queue) until you "
    "choose catch again · escape closes"
)


class DispositionScreen(ModalScreen[None]):
    """Lists the catchable signals with what the demo does with each.

    Args:
        signals: The catalogue.
        current: The dispositions known so far (default: catch).
        choose: Called with a signal and the new disposition.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "set('catch')", "Catch"),
        Binding("i", "set('ignore')", "Ignore"),
        Binding("d", "set('default')", "Default"),
        Binding("h", "set('hold')", "Hold"),
        Binding("escape,q", "close", "Close"),
    ]
    """One key per disposition."""

    def __init__(
        self,
        signals: Catalogue,
        current: Mapping[int, str],
        choose: Callable[[SignalSpec, str], None],
    ) -> None:
        super().__init__()
        self.specs = [s for s in signals if s.catchable]
        self.current = dict(current)
        self._choose = choose

    def compose(self) -> ComposeResult:
        """The table and the explanation."""
        with Vertical(id="dispositions-body"):
            yield Static(
                Text("What the demo child does with each signal", style="bold")
            )
            table: DataTable[Text | str] = DataTable(
                id="dispositions-table", cursor_type="row"
            )
            yield table
            yield Static(EXPLAIN, id="dispositions-help", markup=False)

    def on_mount(self) -> None:
        """Fill the table."""
        table = self.query_one("#dispositions-table", DataTable)
        table.add_column("#", key="number")
        table.add_column("Signal", key="name")
        table.add_column("Demo does", key="disposition")
        for spec in self.specs:
            table.add_row(
                Text(str(spec.number), justify="right"),
                spec.name,
                self.current.get(spec.number, "catch"),
                key=str(spec.number),
            )
        table.focus()

    def update_disposition(self, signo: int, disposition: str) -> None:
        """Show a change the demo acknowledged.

        Args:
            signo: The signal number.
            disposition: Its new disposition.
        """
        self.current[signo] = disposition
        table = self.query_one("#dispositions-table", DataTable)
        table.update_cell(str(signo), "disposition", disposition)

    def action_set(self, disposition: str) -> None:
        """Ask the demo to use a disposition for the highlighted signal.

        Args:
            disposition: ``catch``, ``ignore``, ``default`` or ``hold``.
        """
        table = self.query_one("#dispositions-table", DataTable)
        if 0 <= table.cursor_row < len(self.specs):
            self._choose(self.specs[table.cursor_row], disposition)

    def action_close(self) -> None:
        """Close the panel."""
        self.dismiss(None)
