"""The machinery behind the exercises: an :class:`Exercise` with ``check``, ``hint`` and ``solution``.

Every notebook ends with exercises whose cells look like this::

    from helpers.exercises.base import ____
    from helpers.exercises.nb01 import ex1, ex2, ex3

    model = ____  # your answer
    ex1.check(model)
    # ex1.hint()
    # ex1.solution()

``____`` is a placeholder: until the learner replaces it, ``check`` prints "not answered yet" and
what to put there, so a notebook run from top to bottom never fails on its exercises. A check
never trains anything: it inspects the answer (a number, a name, a model's layers, a dataset's
shapes) and says *what* is wrong, not only that something is.

Introduced at the end of ``00_setup.ipynb``; used by the exercises of every notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from helpers.language import _


class _Placeholder:
    """The type of ``____``: an answer the learner has not written yet."""

    _instance: _Placeholder | None = None

    def __new__(cls) -> _Placeholder:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __bool__(self) -> bool:
        return False


#: Put this where an answer goes; replace it with your answer.
____ = _Placeholder()


def unanswered(answer: Any) -> list[str]:
    """Where ``answer`` still holds ``____``: ``[""]`` for the whole answer, else the keys or positions."""
    if answer is ____:
        return [""]
    if isinstance(answer, dict):
        return [repr(key) for key, value in answer.items() if value is ____]
    if isinstance(answer, (list, tuple)):
        return [_("item {number}").format(number=i + 1) for i, value in enumerate(answer) if value is ____]
    return []


@dataclass(frozen=True)
class Feedback:
    """What a check found: ``ok`` and one or two sentences for the learner."""

    ok: bool
    message: str

    def __str__(self) -> str:
        if self.ok:
            return _("✓ Correct: {message}").format(message=self.message)
        return _("✗ Not yet: {message}").format(message=self.message)


def correct(message: str) -> Feedback:
    """A right answer, with what it shows (or the next thing to notice)."""
    return Feedback(True, message)


def wrong(message: str) -> Feedback:
    """A wrong answer, with what exactly is wrong and, where it helps, what to do."""
    return Feedback(False, message)


class Exercise:
    """One exercise: a checker, a hint and a solution.

    Args:
        name: how the exercise is called in messages, for example ``"ex1"``.
        expects: what replaces ``____``, in words ("a keras.Sequential model").
        checker: ``checker(answer, *context) -> Feedback``; fast (no training) and deterministic.
            ``context`` holds the notebook's own objects the check needs (a history, an evaluation).
        hint: a nudge in one to three sentences.
        solution: the code of a solution, printed by :meth:`solution`.
        answer: what :meth:`solution` returns, when the answer is a plain value (a number, a name).
        data: anything the task hands to the learner (``ex1.data``), for example a small array.

    ``expects``, ``hint`` and ``solution`` are kept as given (marked with :func:`helpers.language.N_` by the
    notebook's module) and translated each time they are shown, in the language in force then.
    """

    def __init__(
        self,
        name: str,
        expects: str,
        checker: Callable[..., Feedback],
        hint: str,
        solution: str,
        answer: Any = None,
        data: Any = None,
    ) -> None:
        self.name = name
        self._raw_expects = expects
        self._checker = checker
        self._raw_hint = hint
        self._raw_solution = solution
        self._answer = answer
        self.data = data

    @property
    def expects(self) -> str:
        """What replaces ``____``, in words, in the language in force."""
        return _(self._raw_expects).strip()

    @property
    def _hint(self) -> str:
        return _(self._raw_hint).strip()

    @property
    def _solution(self) -> str:
        """The solution's code as :meth:`solution` prints it (comments in the language in force)."""
        return _(self._raw_solution).strip("\n")

    def feedback(self, answer: Any, *context: Any) -> Feedback | None:
        """The :class:`Feedback` for ``answer``; ``None`` while it still holds ``____``."""
        if unanswered(answer):
            return None
        try:
            return self._checker(answer, *context)
        except Exception as error:  # a learner's answer of an unexpected kind must not end in a traceback
            return wrong(
                _("could not check this answer ({error_type}: {error}). "
                  "The check expects {expects}; you gave {given}.").format(
                    error_type=type(error).__name__, error=error, expects=self.expects, given=_kind(answer))
            )

    def check(self, answer: Any, *context: Any) -> None:
        """Print whether ``answer`` is right and, if not, what is wrong with it."""
        found = self.feedback(answer, *context)
        if found is None:
            places = unanswered(answer)
            if places == [""]:
                print(_("{name}: not answered yet: replace ____ with {expects}.").format(
                    name=self.name, expects=self.expects))
            elif len(places) == len(answer):
                print(_("{name}: not answered yet: replace each ____ with {expects}.").format(
                    name=self.name, expects=self.expects))
            else:
                print(_("{name}: not answered yet (still ____: {places}): replace it with {expects}.").format(
                    name=self.name, places=", ".join(places), expects=self.expects))
        else:
            print(f"{self.name} {found}")

    def hint(self) -> None:
        """Print a hint."""
        print(_("{name} hint: {hint}").format(name=self.name, hint=self._hint))

    def solution(self) -> Any:
        """Print the code of a solution; return the answer when it is a plain value."""
        print(_("# {name}, a solution:").format(name=self.name))
        print(self._solution)
        return self._answer

    def __repr__(self) -> str:
        return _("<exercise {name}: {name}.check(answer), {name}.hint(), {name}.solution()>").format(name=self.name)


def _kind(answer: Any) -> str:
    """A short description of an answer's type, for messages."""
    text = repr(answer)
    if len(text) > 60:
        text = text[:57] + "..."
    return _("a {type} ({text})").format(type=type(answer).__name__, text=text)


def as_int(answer: Any, what: str) -> int:
    """``answer`` as a whole number, or a ``ValueError`` whose message names ``what`` was expected."""
    import numpy as np

    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer, float, np.floating)):
        raise ValueError(_("{what} should be a number, not {type}").format(what=_(what), type=type(answer).__name__))
    if float(answer) != int(answer):
        raise ValueError(_("{what} should be a whole number, not {answer}").format(what=_(what), answer=answer))
    return int(answer)
