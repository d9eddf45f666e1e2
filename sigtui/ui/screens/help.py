"""The help screen: keys, the table's marks, and a word on process groups."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import zip_longest
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from sigtui.signals import catalogue
from sigtui.ui.widgets.process_table import (
    MARK_ANCESTOR,
    MARK_DEMO,
    MARK_GONE,
    MARK_GROUP,
    MARK_SELF,
)

TABLE_KEYS = [
    ("↑ ↓ PgUp PgDn Home End", "move the cursor; it stays on the same process"),
    ("click a header", "sort by that column (again: reverse)"),
    ("enter, f3 (searching)", "the next match; escape closes the search box"),
    (
        "space + - (F2 list)",
        "show/hide a column, move it up or down; enter applies",
    ),
]
"""Keys handled by the table itself."""

MARKS = [
    (MARK_SELF, "sigtui itself"),
    (MARK_ANCESTOR, "a process that started sigtui (its shell, terminal...)"),
    (MARK_DEMO, "processes sigtui started and watches: the demo (d) and lessons (L)"),
    (MARK_GROUP, "in the same process group as the selected process"),
    (MARK_GONE, "exited since the last refresh (shown once more, then removed)"),
]
"""The marks in the table's first column."""

ABOUT = (
    "A process group is a job: the processes a shell started for one command "
    "line (like `make | tee log`) share a PGID, and a signal sent to the group "
    "reaches all of them at once. The group of the selected process is "
    "highlighted. STAT letters are ps's: R running, S sleeping, D disk wait, "
    "T stopped, Z zombie, I idle kernel thread; s session leader, + in the "
    "terminal's foreground group, l multi-threaded, < high priority, "
    "N low priority, L memory locked. Kernel threads (listed after K) are shown "
    "in [brackets]."
)


def signal_table() -> Table:
    """Every signal of this platform: number, name, default action, meaning.

    Returns:
        A table to show (plain text cells: nothing is read as markup).
    """
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column("#", justify="right")
    table.add_column("Signal")
    table.add_column("Default")
    table.add_column("Catch")
    table.add_column("Meaning")
    for spec in catalogue():
        table.add_row(
            Text(str(spec.number)),
            Text(spec.name),
            Text(spec.action_text),
            Text("yes" if spec.catchable else "no"),
            Text(spec.meaning),
        )
    return table


_KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "less_than_sign": "<",
    "greater_than_sign": ">",
}
"""Textual's names of keys that are shown as the character."""


def _key_names(binding: Binding) -> str:
    names = []
    for key in binding.key.split(","):
        key = key.strip()
        names.append(_KEY_NAMES.get(key, key))
    return " ".join(names)


class HelpScreen(ModalScreen[None]):
    """Lists every key of the main screen and explains the table.

    Args:
        bindings: The main screen's bindings, so the list is never out of date.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
    ]

    def __init__(self, bindings: Iterable[BindingType]) -> None:
        super().__init__()
        self._keys = [b for b in bindings if isinstance(b, Binding)]

    def compose(self) -> ComposeResult:
        """Show the keys, the marks and the explanation."""
        # Two columns of keys, read down the left one first: with htop's keys
        # one column would push the marks out of sight.
        entries = [(_key_names(b), b.tooltip or b.description) for b in self._keys]
        widest = max(len(key) for key, _ in entries)
        keys = Table.grid(padding=(0, 1), expand=True)
        for _ in range(2):
            keys.add_column(style="bold", no_wrap=True, min_width=widest)
            keys.add_column(ratio=1)
        half = (len(entries) + 1) // 2
        for left, right in zip_longest(entries[:half], entries[half:]):
            keys.add_row(*left, *(right or ("", "")))
        table_keys = Table.grid(padding=(0, 2))
        table_keys.add_column(style="bold")
        table_keys.add_column()
        for key, what in TABLE_KEYS:
            table_keys.add_row(key, what)
        marks = Table.grid(padding=(0, 2))
        marks.add_column(style="bold")
        marks.add_column()
        for mark, meaning in MARKS:
            marks.add_row(mark, meaning)
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold underline"))
            yield Static(keys)
            yield Static(table_keys)
            yield Static(Text("Marks", style="bold underline"), classes="help-heading")
            yield Static(marks)
            yield Static(
                Text("Processes and groups", style="bold underline"),
                classes="help-heading",
            )
            yield Static(Text(ABOUT))
            yield Static(
                Text("Signals on this system", style="bold underline"),
                classes="help-heading",
            )
            yield Static(signal_table())
            yield Static(
                Text("escape closes this help", style="italic"), classes="help-heading"
            )

    async def action_dismiss(self, result: None = None) -> None:
        """Close the help."""
        self.dismiss(result)
