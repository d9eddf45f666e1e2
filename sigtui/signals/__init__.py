"""Signals: the catalogue, parsing, decoded /proc masks and outcome predictions.

Standard library (and sigtui.processes) only; never imports Textual or Rich.
"""

from sigtui.signals.catalog import (
    PROBE,
    Action,
    Catalogue,
    SignalError,
    SignalSpec,
    build_catalogue,
    catalogue,
)
from sigtui.signals.predict import Outcome, Prediction, predict, summarize
from sigtui.signals.state import (
    SignalState,
    decode_mask,
    parse_signal_status,
    read_signal_state,
)

__all__ = [
    "PROBE",
    "Action",
    "Catalogue",
    "Outcome",
    "Prediction",
    "SignalError",
    "SignalSpec",
    "SignalState",
    "build_catalogue",
    "catalogue",
    "decode_mask",
    "parse_signal_status",
    "predict",
    "read_signal_state",
    "summarize",
]
