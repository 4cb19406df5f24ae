"""Record a notebook's key figure so that ``make run`` can show it in the results table.

Introduced in ``00_setup.ipynb``; every notebook ends its main experiment with one call.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

RESULTS_ENV = "COURSE_RESULTS_FILE"


def record(metric: str, value: float, **details: float | int | str) -> None:
    """Print ``metric = value`` and, when the series runner asked for it, save it.

    Args:
        metric: what the figure is, for example ``"test accuracy"``.
        value: the figure.
        details: anything else worth keeping with it (epochs, images, seconds...).
    """
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:.4f}"
    print(f"Result: {metric} = {shown}")
    target = os.environ.get(RESULTS_ENV)
    if target:
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"metric": metric, "value": float(value), **details}, indent=1))
