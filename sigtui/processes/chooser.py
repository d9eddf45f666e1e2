"""The column chooser's model (htop's ``F2``): which columns, in which order.

Also :func:`columns_spec`, which writes shown columns back as a ``-o`` list
(for the settings file).

Plain Python, so that toggling and moving columns is tested without a
terminal; the dialog in ``sigtui.ui.screens.columns`` only draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sigtui.processes import columns as registry
from sigtui.processes.columns import Column


@dataclass(frozen=True, slots=True)
class ColumnChoice:
    """One line of the chooser: a column, its other names, shown or not.

    Attributes:
        column: The column as it would be shown.
        aliases: The other ps ``-o`` names for the same field.
        shown: Whether it is ticked.
    """

    column: Column
    aliases: tuple[str, ...]
    shown: bool


def column_choices(shown: Sequence[Column]) -> list[ColumnChoice]:
    """List every supported field once: the shown ones first, in their order.

    ps has several names for most fields (``pid``/``tgid``, ``tty``/``tt``/
    ``tname``); the chooser offers each field once, under the name that is
    shown or else the first the registry lists, with the others as aliases.
    The registry is read now, so that columns added to it later are offered.

    Args:
        shown: The columns shown now, in order.

    Returns:
        The choices: the shown columns (ticked), then the rest (unticked).
    """
    names_of: dict[object, list[str]] = {}
    first_of: dict[object, Column] = {}
    for name, column in registry.COLUMNS.items():
        names_of.setdefault(column.field, []).append(name)
        first_of.setdefault(column.field, column)
    choices: list[ColumnChoice] = []
    seen: set[object] = set()
    for column in shown:
        if column.field in seen:
            continue  # the same field twice: the chooser keeps the first
        seen.add(column.field)
        aliases = tuple(n for n in names_of.get(column.field, []) if n != column.name)
        choices.append(ColumnChoice(column, aliases, True))
    for field, column in first_of.items():
        if field in seen:
            continue
        aliases = tuple(n for n in names_of[field] if n != column.name)
        choices.append(ColumnChoice(column, aliases, False))
    return choices


class ColumnChooser:
    """The chooser's state while the user edits it.

    Args:
        shown: The columns shown now, in order.
    """

    def __init__(self, shown: Sequence[Column]) -> None:
        self.choices = column_choices(shown)

    def toggle(self, index: int) -> None:
        """Tick or untick a column.

        Args:
            index: Its position in :attr:`choices`.
        """
        choice = self.choices[index]
        self.choices[index] = replace(choice, shown=not choice.shown)

    def move(self, index: int, delta: int) -> int:
        """Move a column up (negative) or down (positive) the list.

        Args:
            index: Its position in :attr:`choices`.
            delta: How many places to move it.

        Returns:
            Its new position (unchanged at either end of the list).
        """
        target = max(0, min(index + delta, len(self.choices) - 1))
        if target != index:
            self.choices.insert(target, self.choices.pop(index))
        return target

    @property
    def chosen(self) -> tuple[Column, ...]:
        """The ticked columns, in the order of the list."""
        return tuple(c.column for c in self.choices if c.shown)


def columns_spec(columns: Sequence[Column]) -> str:
    """Write columns as the ``-o`` list that :func:`parse_columns` reads back.

    Args:
        columns: The columns.

    Returns:
        Names joined by commas, with ``=HEADER`` where the header was renamed.
        A renamed header with a comma or space in it cannot be written so
        that it reads back (the header would end there): it is left out, and
        the column comes back with its usual header.
    """
    parts = []
    for column in columns:
        known = registry.COLUMNS.get(column.name)
        if (known is not None and known.header == column.header) or any(
            c in column.header for c in ", \t"
        ):
            parts.append(column.name)
        else:
            parts.append(f"{column.name}={column.header}")
    return ",".join(parts)
