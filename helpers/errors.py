"""Errors a learner can act on.

Every error the course raises on purpose derives from :class:`CourseError`. Its message is one or
two sentences that name the file or setting involved and say what to do next. In Jupyter the error
is shown as that message alone (IPython calls ``_render_traceback_``), and the command-line tools
print it and exit with status 2, so no learner has to read a 40-line traceback to find the point.

Every error class of the course is defined here, in the order a learner meets them (data, weights,
training, model files, prediction, ensembles, classroom packing); the modules that raise them, and
the code that catches them, import them from here.
:func:`did_you_mean` is the one rule that suggests a name for a misspelt one in these messages.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable


def _(message: str) -> str:
    """The gettext of :mod:`helpers.language`, without importing it: that module raises :class:`SettingError` from here.

    Every module that puts :func:`did_you_mean` into a message has loaded :mod:`helpers.language` (for its own
    messages); until then the phrase stays English.
    """
    language = sys.modules.get("helpers.language")
    return message if language is None else language.gettext(message)


def did_you_mean(name: str, names: Iterable[str]) -> str:
    """`` (did you mean 'dogs'?)`` naming the one or two of ``names`` closest to a misspelt ``name``, or ``""``.

    Case is ignored (``difflib.get_close_matches`` on lower-cased names, cutoff 0.6); the suggestion keeps the
    spelling of ``names``. Put it right after the misspelt name in a message:
    ``f"There is no dataset called {name!r}{did_you_mean(name, DATASETS)}; ..."``.
    """
    lowered = {option.lower(): option for option in names}
    matches = [lowered[m] for m in difflib.get_close_matches(str(name).lower(), list(lowered), n=2, cutoff=0.6)]
    if not matches:
        return ""
    if len(matches) == 1:
        return _(" (did you mean {name!r}?)").format(name=matches[0])
    return _(" (did you mean {first!r} or {second!r}?)").format(first=matches[0], second=matches[1])


class CourseError(Exception):
    """Base class for errors whose message tells the learner what to do."""

    def _render_traceback_(self) -> list[str]:  # IPython hook: show the message, not the stack
        return [f"{type(self).__name__}: {self}"]


class UnknownNameError(CourseError):
    """A dataset or a pretrained base asked for by a name the course does not know; the message lists those it knows.

    Raised by :func:`helpers.data.registry.get_dataset` and :func:`helpers.transfer.get_base`.
    """


class DatasetUnavailableError(CourseError):
    """A dataset archive could not be found in the cache, in a mirror or at its origin."""


class ChecksumError(CourseError):
    """A file was fetched but its content is not the one the registry knows."""


class SettingError(CourseError):
    """An environment setting such as ``COURSE_PROFILE`` has a value the course cannot use."""


class TrainSettingError(CourseError, ValueError):
    """A training or dataset setting (split, batch size, epochs, classes, label mode) cannot be used.

    Also a ``ValueError``, which is what such a mistake raised before the course named it.
    """


class EnsembleError(CourseError):
    """Predictions, weights or labels that an ensemble method cannot combine.

    Raised by :mod:`helpers.ensembles.combine`.
    """


class PackError(CourseError):
    """The mirror folder cannot be written, or an option names something the course does not know.

    Raised when packing or checking a classroom mirror.
    """


class QuarantineError(CourseError):
    """Problem files could not be moved aside (usually: the data folder is read-only).

    Raised by :mod:`helpers.data.checks.quarantine`.
    """


class FolderError(CourseError):
    """A folder of images is missing or is not laid out as one sub-folder per class.

    Raised by :mod:`helpers.data.checks.layout`.
    """


class ModelFileError(CourseError):
    """A model file is missing, is not a ``.keras`` file, or has no class names.

    Raised by :mod:`helpers.model_files`.
    """


class TrainingDivergedError(CourseError):
    """The training loss became NaN or infinite.

    Raised by :mod:`helpers.train.fit`: :class:`helpers.train.callbacks.StopOnNaN` stopped the run, or
    the validation loss was NaN at every epoch.
    """


class WeightsUnavailableError(CourseError):
    """The ImageNet weight file of a ``keras.applications`` base could not be fetched, or a weights file given by path is missing.

    Raised by :mod:`helpers.data.weights` and :mod:`helpers.transfer`.
    """


class UnreadableImageError(CourseError):
    """A file that should be an image cannot be read as one.

    Raised by :mod:`helpers.predict`.
    """


class UnsuitableModelError(CourseError):
    """A model that the function it was given to cannot use as it is.

    Raised by :mod:`helpers.predict` (inputs that are not images of a fixed size, classes that do not match the class
    names) and :func:`helpers.transfer.base_of` (no pretrained base inside).
    """


class UntrustedModelError(ModelFileError):
    """A model file carries Python code (a ``Lambda`` layer's function) that Keras's safe mode refused to run.

    Raised by :mod:`helpers.model_files`; the message says how to load the file if its author is trusted.
    """


class RunFolderBusyError(CourseError):
    """Another training run holds the run folder this run would write to.

    Raised by :func:`helpers.train.run_state.run_folder_lock` before any training.
    """
