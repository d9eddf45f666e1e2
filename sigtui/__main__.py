"""Run sigtui with ``python -m sigtui``."""

from sigtui.cli import main

raise SystemExit(main())
