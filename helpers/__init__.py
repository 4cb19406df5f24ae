"""helpers: the small, tested package behind the notebooks of *Image classification with Keras*.

Organised by what a learner does:

- :mod:`helpers.profile` - choose the run profile (quick or full) and print the banner;
- :mod:`helpers.data` - get data: registry, checked downloads, loaders;
- :mod:`helpers.models` - build models;
- :mod:`helpers.training` - train: callbacks and run folders;
- :mod:`helpers.evaluate` and :mod:`helpers.plots` - evaluate and plot;
- :mod:`helpers.results` - record the key figure of a notebook for the results table.
"""

import os as _os

# Quieten TensorFlow's C++ start-up chatter (CUDA probes, oneDNN notices) before it is imported.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from helpers.errors import CourseError  # noqa: E402

__version__ = "0.1.0"
__all__ = ["CourseError", "__version__"]
