"""A scoreboard of members and ensembles: validation and test accuracy, training and prediction costs.

Introduced in ``07_ensembles.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers.ensembles.combine import accuracy
from helpers.errors import EnsembleError
from helpers.evaluate import standard_error_of_accuracy
from helpers.language import _
from helpers.tables import text_table


@dataclass
class Entry:
    """One row of a :class:`Scoreboard`: a single model or an ensemble, with its accuracies and costs."""

    name: str
    kind: str
    members: int
    val_accuracy: float
    test_accuracy: float
    train_seconds: float
    predict_seconds: float
    params: int


class Scoreboard:
    """Every member and ensemble on the validation and test sets, with its cost, in one table.

    Single models are added with :meth:`add_member`; an ensemble with :meth:`add_ensemble` names
    its members, and its training seconds, prediction seconds and parameters are theirs summed.
    Winners are picked by validation accuracy only (:meth:`best`); the test column is for reporting,
    and gains are measured against the best single model on test (:meth:`best_on_test`).
    """

    def __init__(self, y_val: Any, y_test: Any) -> None:
        self.y_val = np.asarray(y_val).astype(int).ravel()
        self.y_test = np.asarray(y_test).astype(int).ravel()
        self.entries: dict[str, Entry] = {}

    def add_member(
        self, name: str, val_pred: Any, test_pred: Any, train_seconds: float, predict_seconds: float,
        params: int, kind: str = "member",
    ) -> Entry:
        """Add a single model from its predictions (class indices or probabilities) on both sets."""
        entry = Entry(name, kind, 1, accuracy(self.y_val, val_pred), accuracy(self.y_test, test_pred),
                      float(train_seconds), float(predict_seconds), int(params))
        self.entries[name] = entry
        return entry

    def add_ensemble(
        self, name: str, members: Sequence[str], val_pred: Any, test_pred: Any,
        val_accuracy: float | None = None, extra_seconds: float = 0.0, extra_params: int = 0,
    ) -> Entry:
        """Add an ensemble of the named members.

        Args:
            val_accuracy: use this validation accuracy instead of the one computed from ``val_pred``
                (for a method fitted on the validation split: see :func:`cross_validated_accuracy`).
            extra_seconds: training time of the combination itself (fitting weights or a meta-learner).
            extra_params: numbers the combination itself fitted (a meta-learner's coefficients).
        """
        parts = [self.entries[member] for member in members]
        entry = Entry(
            name, "ensemble", len(parts),
            accuracy(self.y_val, val_pred) if val_accuracy is None else float(val_accuracy),
            accuracy(self.y_test, test_pred),
            sum(p.train_seconds for p in parts) + extra_seconds,
            sum(p.predict_seconds for p in parts),
            sum(p.params for p in parts) + extra_params,
        )
        self.entries[name] = entry
        return entry

    def best(self, kind: str = "ensemble") -> Entry:
        """The entry of this kind with the highest validation accuracy (the first added on a tie)."""
        return max(self._rows(kind), key=lambda e: e.val_accuracy)

    def best_on_test(self, kind: str = "member") -> Entry:
        """The entry of this kind with the highest *test* accuracy: the bar an ensemble has to clear.

        Only for reporting a gain: comparing an ensemble with the member that happens to score best
        on the test set is the hardest honest comparison (that member's score is, if anything, lucky).
        Never use it to choose anything.
        """
        return max(self._rows(kind), key=lambda e: e.test_accuracy)

    def _rows(self, kind: str) -> list[Entry]:
        rows = [e for e in self.entries.values() if e.kind == kind]
        if not rows:
            raise EnsembleError(_("The scoreboard has no entry of kind {kind!r} yet.").format(kind=kind))
        return rows

    def table(self, baseline_kind: str = "member") -> str:
        """The scoreboard as text; "gain" is test accuracy minus that of the best single model *on test*.

        "± se" is the standard error of the test accuracy, ``sqrt(p (1 - p) / n)``.
        """
        baseline = self.best_on_test(baseline_kind)
        n = len(self.y_test)
        rows = []
        for e in self.entries.values():
            gain = f"{100 * (e.test_accuracy - baseline.test_accuracy):+.2f}" if e.kind == "ensemble" else ""
            se = 100 * standard_error_of_accuracy(e.test_accuracy, n)
            rows.append((e.name, e.kind, f"{e.members}", f"{e.val_accuracy:.2%}", f"{e.test_accuracy:.2%}", f"{se:.2f}", gain,
                         f"{e.train_seconds:.1f}", f"{e.predict_seconds:.2f}", f"{e.params:,}"))
        header = ("model", "kind", "n", "val acc", "test acc", "± se", "gain", "train s", "pred s", "params")
        table = text_table(rows, header, align="llrrrrrrrr", min_widths=(0, 8, 2, 0, 0, 5, 6, 0, 0, 9), rule="line")
        footer = _("gain: test accuracy minus that of {baseline} (the best single model on test), in points").format(baseline=baseline.name)
        return f"{table}\n{footer}"

    def __str__(self) -> str:
        return self.table()
