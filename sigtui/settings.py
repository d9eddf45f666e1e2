"""The settings a user changes while sigtui runs, as one frozen record.

The app builds a :class:`Settings` from its state whenever asked (see
``SigtuiApp.settings``) and calls its ``_settings_changed`` hook whenever one
of them changes, so that they can be saved and restored. Standard library
only, so the configuration file can be read without loading the UI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sigtui.processes import columns as registry
from sigtui.processes.columns import Column


@dataclass(frozen=True, slots=True)
class Settings:
    """What the user chose: columns, sort, tree, kernel threads, interval, theme.

    Attributes:
        columns: The shown columns as a ps ``-o`` list (``pid,pgid,tty``),
            renamed headers included (``pid=ID``).
        sort: The ps name of the column sorted by.
        reverse: Sorted descending.
        tree: The tree view is on.
        kernel_threads: Kernel threads are listed.
        interval: Seconds between refreshes.
        theme: The Textual theme's name (the one in use before projector
            mode, while projector mode is on).
    """

    columns: str
    sort: str
    reverse: bool
    tree: bool
    kernel_threads: bool
    interval: float
    theme: str


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
