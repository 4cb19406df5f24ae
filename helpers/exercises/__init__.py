"""Exercises with automatic feedback, one module per notebook.

At the end of each notebook::

    from helpers.exercises.base import ____
    from helpers.exercises.nb02 import ex1, ex2, ex3
    answer = ____          # replace ____ with your answer
    ex1.check(answer)      # says what is right or wrong
    ex1.hint()             # a nudge
    ex1.solution()         # the code of a solution

:mod:`helpers.exercises.base` holds the machinery (:class:`Exercise`, the ``____`` placeholder);
``nb00`` ... ``nb07`` hold each notebook's exercises. Checks are fast (no training inside a
check) and deterministic; they are unit-tested with right and wrong answers in
``tests/test_exercises.py``.

Introduced in ``00_setup.ipynb``.
"""
