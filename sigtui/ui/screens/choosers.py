"""htop's list dialogs: the sort column (F6), the user (u) and the columns (F2).

Each is a modal list; enter picks, escape closes without a change. They are
dismissed with what was chosen, and the app applies it to the view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sigtui.processes.chooser import ColumnChoice, ColumnChooser
from sigtui.processes.columns import Column


class SortPicker(ModalScreen[int | None]):
    """Lists the shown columns; enter sorts by one (the current one: reversed).

    Dismissed with the chosen column's position, or None.

    Args:
        columns: The shown columns.
        current: The position of the column sorted by now.
        reverse: Whether the sort is descending now.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f6", "close", "Close"),
    ]

    def __init__(self, columns: Sequence[Column], current: int, reverse: bool) -> None:
        super().__init__()
        self.columns = tuple(columns)
        self.current = current
        self.reverse = reverse

    def compose(self) -> ComposeResult:
        """A title, one option per column, and a hint."""
        options = []
        for index, column in enumerate(self.columns):
            mark = ("▼" if self.reverse else "▲") if index == self.current else " "
            options.append(
                Option(
                    Text.assemble(
                        (f"{mark} {column.header or column.name}", "bold"),
                        f"  ({column.name})",
                    ),
                    id=str(index),
                )
            )
        with Vertical(id="sort-body", classes="chooser-body"):
            yield Static(Text("Sort by", style="bold"), classes="chooser-title")
            yield OptionList(*options, id="sort-list")
            yield Static(
                "enter: sort by it (the current one again: reverse)   escape: close",
                classes="chooser-hint",
            )

    def on_mount(self) -> None:
        """Start on the current sort column."""
        options = self.query_one(OptionList)
        options.focus()
        options.highlighted = self.current

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_close(self) -> None:
        """Close without a change."""
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class UserChoice:
    """What the user picker chose.

    Attributes:
        user: The user whose processes to list, or None for everyone's.
    """

    user: str | None


ALL_USERS = "all"
"""The option id of "all users" (no user can be named so: ids are prefixed)."""


class UserPicker(ModalScreen[UserChoice | None]):
    """Lists the users that own processes, with counts, and "all users".

    Dismissed with a :class:`UserChoice`, or None when closed.

    Args:
        counts: (user, number of processes), in the order to list them.
        current: The user listed now, or None for everyone.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,u", "close", "Close"),
    ]

    def __init__(self, counts: Sequence[tuple[str, int]], current: str | None) -> None:
        super().__init__()
        self.counts = list(counts)
        self.current = current

    def compose(self) -> ComposeResult:
        """A title, "all users", one option per user, and a hint."""
        total = sum(n for _, n in self.counts)
        options = [
            Option(
                Text.assemble(
                    (f"{'▶' if self.current is None else ' '} all users", "bold"),
                    f"  {total} processes",
                ),
                id=ALL_USERS,
            )
        ]
        for user, count in self.counts:
            mark = "▶" if user == self.current else " "
            options.append(
                Option(
                    Text.assemble(
                        (f"{mark} {user}", "bold"),
                        f"  {count} process{'es' if count != 1 else ''}",
                    ),
                    id=f"user-{user}",
                )
            )
        with Vertical(id="users-body", classes="chooser-body"):
            yield Static(
                Text("Show the processes of", style="bold"), classes="chooser-title"
            )
            yield OptionList(*options, id="users-list")
            yield Static("enter: choose   escape: close", classes="chooser-hint")

    def on_mount(self) -> None:
        """Start on the user listed now."""
        options = self.query_one(OptionList)
        options.focus()
        users = [user for user, _ in self.counts]
        options.highlighted = (
            users.index(self.current) + 1 if self.current in users else 0
        )

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        chosen = event.option.id or ALL_USERS
        self.dismiss(
            UserChoice(None if chosen == ALL_USERS else chosen.removeprefix("user-"))
        )

    def action_close(self) -> None:
        """Close without a change."""
        self.dismiss(None)


class ColumnPicker(ModalScreen[tuple[Column, ...] | None]):
    """Every supported column, the shown ones ticked and first, in order.

    space ticks or unticks, ``+``/``-`` (or shift with the arrows) move the
    highlighted column down or up, enter shows the ticked columns in the
    list's order, escape closes without a change. Dismissed with the columns
    or None.

    Args:
        shown: The columns shown now.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f2", "close", "Close"),
        Binding("space", "toggle_column", "Show/hide"),
        Binding("minus,shift+up", "move(-1)", "Move up"),
        Binding("plus,shift+down", "move(1)", "Move down"),
    ]

    def __init__(self, shown: Sequence[Column]) -> None:
        super().__init__()
        self.chooser = ColumnChooser(shown)

    def compose(self) -> ComposeResult:
        """A title, one option per column, and a hint."""
        with Vertical(id="columns-body", classes="chooser-body"):
            yield Static(Text("Columns", style="bold"), classes="chooser-title")
            yield OptionList(*self._options(), id="columns-list")
            yield Static(
                "space: show/hide   + - or shift+↑↓: move   enter: apply   "
                "escape: cancel",
                classes="chooser-hint",
            )

    def on_mount(self) -> None:
        """Start on the first column."""
        options = self.query_one(OptionList)
        options.focus()
        options.highlighted = 0

    def _options(self) -> list[Option]:
        return [_column_option(choice) for choice in self.chooser.choices]

    def _redraw(self, highlighted: int) -> None:
        options = self.query_one(OptionList)
        options.set_options(self._options())
        options.highlighted = highlighted

    def action_toggle_column(self) -> None:
        """Tick or untick the highlighted column."""
        index = self.query_one(OptionList).highlighted
        if index is None:
            return
        self.chooser.toggle(index)
        self._redraw(index)

    def action_move(self, delta: int) -> None:
        """Move the highlighted column up or down.

        Args:
            delta: Places to move (negative: up).
        """
        index = self.query_one(OptionList).highlighted
        if index is None:
            return
        self._redraw(self.chooser.move(index, delta))

    @on(OptionList.OptionSelected)
    def _apply(self) -> None:
        chosen = self.chooser.chosen
        if not chosen:
            self.notify("Tick at least one column (space).", severity="warning")
            return
        self.dismiss(chosen)

    def action_close(self) -> None:
        """Close without a change."""
        self.dismiss(None)


def _column_option(choice: ColumnChoice) -> Option:
    column = choice.column
    also = f"  also {', '.join(choice.aliases)}" if choice.aliases else ""
    return Option(
        Text.assemble(
            ("[x] " if choice.shown else "[ ] ", "bold" if choice.shown else ""),
            (f"{column.header or column.name:<10}", "bold"),
            f" {column.name}",
            (also, "italic"),
        )
    )
