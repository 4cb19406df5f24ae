"""The course's own machinery: what serves the course, not what a learner calls.

- :mod:`helpers.course.runner` - run the series of notebooks and print the results table
  (``python -m helpers.course.runner``, what ``make run`` calls);
- :mod:`helpers.course.results` - record each notebook's key figure (``results.record``) and write the
  README's tables from the record;
- :mod:`helpers.course.smoke` - the smoke run (``make smoke``): tiny caps the runner installs in each
  notebook's kernel, so the full profile's code path runs on a CPU;
- :mod:`helpers.course.pack` and :mod:`helpers.course.pack_index` - pack and check a classroom mirror
  (``python -m helpers.course pack|verify DIR``).

Nothing in the learner's library imports this package, and ``import helpers`` loads none of it.
"""
