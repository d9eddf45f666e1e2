"""Widgets of the sigtui app."""

from sigtui.ui.widgets.process_table import ProcessTable

__all__ = ["ProcessTable"]
