"""helpers: the small, tested package behind the notebooks of *Image classification with Keras*.

Organised by what a learner does; each name is imported from the module that defines it:

- :mod:`helpers.profile` - choose the run profile (quick or full) and print the banner;
- :mod:`helpers.data` - get data: registry, checked downloads, array loaders, folder and CSV datasets,
  and the ImageNet weight files (:mod:`helpers.data.weights`);
- :mod:`helpers.data.checks` - check a messy folder: scan it, quarantine what cannot be used;
- :mod:`helpers.augment` - augmentation layers (the old ``ImageDataGenerator`` settings as layers);
- :mod:`helpers.models` - build models; :mod:`helpers.transfer` - pretrained bases;
- :mod:`helpers.train` - train: the one-call ``train_from_folder`` and ``python -m helpers.train``
  (:mod:`helpers.train.command`), with :mod:`helpers.train.fit` (``fit_and_evaluate``, the head ->
  fine-tune loop), :mod:`helpers.train.options` (optimizer, schedules, precision, default choices)
  and :mod:`helpers.train.callbacks` (callbacks: resume after an interruption, stop on a NaN loss;
  run folders); :mod:`helpers.distribute` - several devices;
- :mod:`helpers.evaluate` and :mod:`helpers.plots` - evaluate and plot;
- :mod:`helpers.ensembles` - combine several models;
- :mod:`helpers.model_files` and :mod:`helpers.predict` - save with class names, predict
  (``python -m helpers.predict``);
- :mod:`helpers.transfer_comparison` - notebook 06's side-by-side runs of bases and recipes;
- :mod:`helpers.exercises` - the checked exercises at the end of each notebook;
- :mod:`helpers.errors` - every error class the course raises; :mod:`helpers.tables` - ``text_table``,
  the one rule behind the aligned text tables the package prints; :mod:`helpers.files` - writing files atomically;
- :mod:`helpers.course` - the course's own machinery (the series runner, the results record, the
  smoke run, the classroom-mirror packing), which nothing else in ``helpers`` imports.
"""

import os as _os

# Quieten TensorFlow's C++ start-up chatter (CUDA probes, oneDNN notices) before it is imported.
from helpers.errors import CourseError
from helpers.profile import quiet_tensorflow as _quiet_tensorflow  # light: TensorFlow loads on first use

_quiet_tensorflow()

# One BLAS thread for NumPy/SciPy (TensorFlow keeps its own threads). The course's linear algebra
# outside TensorFlow is small (scikit-learn solvers on a few thousand rows), where BLAS threads only
# fight TensorFlow's for the cores: on a 2-core machine notebook 07's 5-fold LogisticRegression took
# 86 s with two BLAS threads and 2 s with one. Set OPENBLAS_NUM_THREADS yourself to choose otherwise.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
if _os.environ["OPENBLAS_NUM_THREADS"] == "1":
    import sys as _sys

    if "numpy" in _sys.modules:  # already loaded (NumPy read the variable then): limit it now
        from threadpoolctl import threadpool_limits as _threadpool_limits

        _threadpool_limits(1, user_api="blas")

__version__ = "0.1.0"
__all__ = ["CourseError", "__version__"]


