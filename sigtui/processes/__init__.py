"""What is running: scanning, identity, ps-style formatting, columns and trees.

This package uses the standard library and psutil only; it never imports
Textual or Rich, so it can be used and tested without a terminal.
"""

from sigtui.processes.columns import (
    COLUMNS,
    DEFAULT_COLUMNS,
    Column,
    ColumnError,
    Field,
    parse_columns,
)
from sigtui.processes.format import (
    command_text,
    display_escape,
    format_cputime,
    format_etime,
    format_stat,
    ps_escape,
)
from sigtui.processes.model import ProcessIdentity, ProcessInfo, ProcessSnapshot
from sigtui.processes.pstable import format_table
from sigtui.processes.scan import (
    ProcessSource,
    ProcfsScanner,
    PsutilScanner,
    default_scanner,
)
from sigtui.processes.tree import TreeLine, forest_lines

__all__ = [
    "COLUMNS",
    "DEFAULT_COLUMNS",
    "Column",
    "ColumnError",
    "Field",
    "ProcessIdentity",
    "ProcessInfo",
    "ProcessSnapshot",
    "ProcessSource",
    "ProcfsScanner",
    "PsutilScanner",
    "TreeLine",
    "command_text",
    "default_scanner",
    "display_escape",
    "forest_lines",
    "format_cputime",
    "format_etime",
    "format_stat",
    "format_table",
    "parse_columns",
    "ps_escape",
]
