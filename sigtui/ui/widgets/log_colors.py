"""Colours for the signal log: each signal name by the kind of its default action."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rich.highlighter import Highlighter
from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError

from sigtui.signals import Action, Catalogue

_NAME = re.compile(r"\bSIG[A-Z0-9]+(?:[+-][0-9]+)?\b")

THEME_COLOURS = {
    Action.TERMINATE: "error",
    Action.CORE: "error",
    Action.STOP: "warning",
    Action.CONTINUE: "success",
    Action.IGNORE: "secondary",
}
"""The theme variable each kind of signal is coloured with."""


def action_styles(variables: Mapping[str, str]) -> dict[Action, Style]:
    """Turn the theme's colours into a style per kind of signal.

    Args:
        variables: The app's theme variables (``App.theme_variables``).

    Returns:
        A bold style per action whose colour the theme defines plainly.
    """
    styles = {}
    for action, name in THEME_COLOURS.items():
        try:
            colour = Color.parse(variables.get(name, ""))
        except ColorParseError:
            continue
        styles[action] = Style(color=colour.rich_color, bold=action is Action.CORE)
    return styles


class SignalHighlighter(Highlighter):
    """Colours every signal name in a log line by what it does by default.

    The name itself always stays, so the colour only adds to the words.

    Args:
        signals: The catalogue.
        styles: A style per kind of default action.
    """

    def __init__(self, signals: Catalogue, styles: Mapping[Action, Style]) -> None:
        self._signals = signals
        self._styles = dict(styles)

    def highlight(self, text: Text) -> None:
        """Style the signal names in a line of the log.

        Args:
            text: The line, styled in place.
        """
        for match in _NAME.finditer(text.plain):
            try:
                spec = self._signals.by_name(match.group())
            except KeyError:
                continue
            style = self._styles.get(spec.action) if spec.action else None
            if style is not None:
                text.stylize(style, match.start(), match.end())
