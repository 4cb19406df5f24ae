"""Model files that remember their class names.

A ``.keras`` file is a zip archive holding the model's configuration and weights. A classifier's
outputs are class *indices*, so a model file alone cannot say whether output 1 means "dogs" or
"cats". :func:`save_classifier` adds one small entry, ``course_class_names.json``, to the same zip;
:func:`load_classifier` reads both back. ``keras.models.load_model`` ignores the extra entry, so the
file stays an ordinary ``.keras`` file that any Keras 3 program can load::

    model_files.save_classifier(model, "runs/cats_vs_dogs.keras", ["cats", "dogs"])
    model, class_names = model_files.load_classifier("runs/cats_vs_dogs.keras")

(Older tutorials kept the mapping in ``train_generator.class_indices`` and lost it with the
session; the prediction script then hard-coded ``["cat", "dog"]``.)

Introduced in ``04_cats_vs_dogs_augmentation.ipynb``; used by ``python -m helpers.predict``.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import keras

from helpers.data.paths import pretty_path
from helpers.errors import ModelFileError, UntrustedModelError
from helpers.files import replacing
from helpers.language import _

#: The entry added to the ``.keras`` zip archive.
CLASS_NAMES_ENTRY = "course_class_names.json"


def output_classes(model: keras.Model) -> int:
    """How many classes a classifier's output stands for (a single sigmoid unit stands for two): :func:`helpers.models.classes_of`."""
    from helpers.models import classes_of

    return classes_of(model)


def check_writable(path: os.PathLike | str) -> Path:
    """Raise :class:`ModelFileError` now, not after hours of training, if a model cannot be saved to ``path``.

    ``path`` must end in ``.keras`` and not be a folder, and the nearest existing folder on its way
    must accept a new file (tried with a small temporary file, removed at once; the folders that
    ``save_classifier`` would create are not created yet). Used by ``train_from_folder(save_to=...)``
    and ``python -m helpers.train --output`` before any training.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    import tempfile

    path = Path(path).expanduser()
    if path.is_dir():
        raise ModelFileError(_("{path} is a folder; give a file name ending in .keras to save the model to.").format(path=pretty_path(path)))
    if path.suffix != ".keras":
        raise ModelFileError(_("Save the model to a file ending in .keras, not {name!r}: Keras 3 writes no other format.").format(name=path.name))
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise ModelFileError(_("Cannot save the model to {path}: {folder} is a file, not a folder; choose another path.").format(
            path=pretty_path(path), folder=pretty_path(folder)))
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".course_write_test_"):
            pass
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(13, "Permission denied")
    except OSError as error:
        raise ModelFileError(
            _("Cannot save the model to {path} ({error}); "
              "choose a folder you can write to (save_to=..., or --output in a terminal) before training.").format(
                path=pretty_path(path), error=error.strerror or type(error).__name__)
        ) from None
    return path


def save_classifier(model: keras.Model, path: os.PathLike | str, class_names: Sequence[str]) -> Path:
    """Save ``model`` to a ``.keras`` file together with its class names.

    Args:
        model: a classifier with one output per class, or one sigmoid output for two classes.
        path: where to write; must end in ``.keras``. Its folder is created if needed. The file is
            written under a temporary name first, so an interrupted save never leaves half a model.
        class_names: one name per class, in label order (``class_names[i]`` is label ``i``).

    Returns:
        The path written.
    """
    path = Path(path).expanduser()
    if path.suffix != ".keras":
        raise ModelFileError(_("Save the model to a file ending in .keras, not {name!r}: Keras 3 writes no other format.").format(name=path.name))
    names = [str(name) for name in class_names]
    if len(names) != output_classes(model):
        raise ModelFileError(
            _("The model predicts {classes} classes but {names} class names were given; "
              "pass one name per class, in label order.").format(classes=output_classes(model), names=len(names))
        )
    check_writable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path, suffix=".partial.keras") as partial:  # an interrupted save leaves the old file whole
            model.save(partial)
            with zipfile.ZipFile(partial, "a") as archive:
                archive.writestr(CLASS_NAMES_ENTRY, json.dumps({"class_names": names}, indent=1))
    except OSError as error:
        raise ModelFileError(
            _("Could not save the model to {path} ({error}); free some disk space "
              "or choose another folder, and save it again with save_classifier(result.model, path, result.class_names).").format(
                path=pretty_path(path), error=error.strerror or type(error).__name__)
        ) from None
    return path


def _check_model_file(path: Path) -> None:
    if not path.exists():
        raise ModelFileError(_("There is no model file at {path}; check the path, or train and save a model first.").format(
            path=pretty_path(path)))
    if path.is_dir():
        raise ModelFileError(_("{path} is a folder; give the path of a .keras model file.").format(path=pretty_path(path)))
    if path.suffix in LEGACY_SUFFIXES:
        return
    if path.suffix == ".keras" and not zipfile.is_zipfile(path):
        raise ModelFileError(
            _("{path} is damaged or incomplete ({size:,} bytes, not a whole .keras archive), "
              "perhaps because saving or copying it was interrupted; save or copy it again.").format(
                path=pretty_path(path), size=path.stat().st_size)
        )
    if path.suffix != ".keras" or not zipfile.is_zipfile(path):
        raise ModelFileError(
            _("{path} is not a .keras model file; give a file written by save_classifier or model.save('name.keras').").format(
                path=pretty_path(path))
        )


#: The suffixes of Keras 2's HDF5 model files.
LEGACY_SUFFIXES = (".h5", ".hdf5")


def read_class_names(path: os.PathLike | str) -> list[str] | None:
    """The class names stored in a ``.keras`` file, or ``None`` if it was saved without them (a legacy ``.h5`` file never has them)."""
    path = Path(path).expanduser()
    _check_model_file(path)
    if path.suffix in LEGACY_SUFFIXES:
        return None
    with zipfile.ZipFile(path) as archive:
        if CLASS_NAMES_ENTRY not in archive.namelist():
            return None
        return [str(name) for name in json.loads(archive.read(CLASS_NAMES_ENTRY))["class_names"]]


#: Phrases of Keras's safe-mode refusal (``ValueError``, for ``.keras`` and ``.h5`` alike in Keras 3.15): the file holds Python code.
_SAFE_MODE_REFUSAL = ("arbitrary code execution", "safe_mode=False")
#: Phrases of Keras's "this program does not define that custom layer or function" (``TypeError``, ``ValueError``).
_UNKNOWN_OBJECT = ("Could not locate", "Unknown layer", "Unknown object", "Unknown activation")


def _error_chain(error: BaseException) -> list[BaseException]:
    """``error`` and the errors it was raised from (Keras wraps a nested layer's error in its model's)."""
    chain: list[BaseException] = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


def _code_error(path: Path, error: BaseException) -> ModelFileError | None:
    """The one-sentence :class:`ModelFileError` for a file Keras refused because of code, or ``None`` if that is not why.

    Two cases: safe mode refused to rebuild a ``Lambda`` layer's Python function (the file *carries*
    code, which was not run), or the file names a custom layer or function that this program does
    not define (the code is not in the file but in its author's program; ``.keras`` files only, since
    Keras 3 also calls Keras 2's own op layers unknown in an ``.h5`` file).
    """
    import re

    for cause in _error_chain(error):
        text = str(cause)
        if any(phrase in text for phrase in _SAFE_MODE_REFUSAL):
            what = _(" (a Lambda layer's function)") if "Lambda" in text else ""
            how = (_("keras.models.load_model(path, safe_mode=False, compile=False), then save_classifier(model, 'name.keras', class_names)")
                   if path.suffix in LEGACY_SUFFIXES else
                   _("load_classifier(path, safe_mode=False) or keras.models.load_model(path, safe_mode=False) "
                     "(or call keras.config.enable_unsafe_deserialization() first)"))
            return UntrustedModelError(
                _("{path} contains Python code{what}, which Keras's safe mode refused to load, "
                  "so the course did not run it; only if you trust whoever made the file, load it with {how}, "
                  "and otherwise ask them for a model made of built-in layers.").format(path=pretty_path(path), what=what, how=how)
            )
        if path.suffix not in LEGACY_SUFFIXES and any(phrase in text for phrase in _UNKNOWN_OBJECT):  # (.h5: Keras 2's op layers too)
            named = re.search(r"(?:Could not locate (?:function|class)|Unknown (?:layer|object|activation)):? '([^']+)'", text)
            what = f" ({named.group(1)})" if named else ""
            return ModelFileError(
                _("{path} uses a custom layer or function{what} that its author's code defines and this program does not; "
                  "load it in a program that defines and registers it (@keras.saving.register_keras_serializable), "
                  "or ask for a model made of built-in layers.").format(path=pretty_path(path), what=what)
            )
    return None


def _legacy_lambda(path: Path) -> bool:
    """Whether a legacy ``.h5`` file's model configuration holds a Python lambda's code (read as text, not run).

    (A ``Lambda`` layer that names a function instead stores no code: Keras then says it cannot find it.)
    """
    try:
        import h5py

        with h5py.File(path, "r") as handle:
            config = handle.attrs.get("model_config")
    except Exception:  # not an HDF5 file: the loader's own message follows
        return False
    text = config.decode("utf-8", "replace") if isinstance(config, bytes) else str(config or "")
    return '"__lambda__"' in text or '"function_type": "lambda"' in text  # Keras 3's and Keras 2's ways to store a lambda's code


def _load_legacy(path: Path, safe_mode: bool = True) -> keras.Model:
    """A Keras 2 ``.h5`` model file, read by Keras 3's legacy loader (built-in layers only), uncompiled."""
    from helpers.profile import tensorflow_warnings_held

    try:
        with tensorflow_warnings_held():  # absl's "No training configuration found" warning is no news here
            return keras.models.load_model(path, compile=False, safe_mode=safe_mode)
    except Exception as error:  # h5py and Keras raise many kinds; the learner needs one sentence
        refused = _code_error(path, error)
        if refused is not None:
            raise refused from None
        raise ModelFileError(
            _("Keras 3 could not read the legacy HDF5 file {path} ({error}): it reads only whole "
              ".h5 files made of built-in layers; load it with Keras 2 (tf_keras) and save it as .keras, or train the model again.").format(
                path=pretty_path(path), error=type(error).__name__)
        ) from error


def load_classifier(
    path: os.PathLike | str, class_names: Sequence[str] | None = None, *, safe_mode: bool = True
) -> tuple[keras.Model, list[str]]:
    """Load a classifier saved by :func:`save_classifier`: ``(model, class_names)``.

    Keras's safe mode stays on: a file whose ``Lambda`` layer holds Python code is refused (with
    :class:`~helpers.errors.UntrustedModelError`), and its code is not run. Pass ``safe_mode=False``
    only for a file whose author you trust, as for ``keras.models.load_model``.

    A legacy Keras 2 ``.h5`` file is read too, when Keras 3 can (built-in layers; the model comes
    back uncompiled), with a one-line note; it holds no class names, so give them as
    ``class_names`` (in label order), then keep them with the model by saving it again with
    :func:`save_classifier` to a ``.keras`` file.

    Raises:
        ModelFileError: the file is missing, damaged or truncated, is not a model file, cannot be
            loaded, or holds no class names (each with what to do); :class:`~helpers.errors.UntrustedModelError`
            (a ``ModelFileError``) when it carries code that safe mode refused.
    """
    path = Path(path).expanduser()
    if path.suffix in LEGACY_SUFFIXES:
        _check_model_file(path)
        if safe_mode and _legacy_lambda(path):  # before asking for class names: this is what stops the learner
            raise _code_error(path, ValueError(f"a `Lambda` layer: {_SAFE_MODE_REFUSAL[0]}")) from None
        if class_names is None:
            raise ModelFileError(
                _("{path} is a legacy Keras 2 HDF5 file, which holds no class names; pass them with "
                  "load_classifier(path, class_names=[...]) and save it as .keras with save_classifier(model, 'name.keras', class_names).").format(
                    path=pretty_path(path))
            )
        model = _load_legacy(path, safe_mode)
        print(_("note: {name} is a legacy HDF5 file that Keras 3 could read; save it with save_classifier to a .keras file.").format(
            name=path.name))
    else:
        class_names = read_class_names(path) if class_names is None else class_names
        if class_names is None:
            raise ModelFileError(
                _("{path} holds a model but no class names; load it with keras.models.load_model, "
                  "or save it again with save_classifier(model, path, class_names).").format(path=pretty_path(path))
            )
        try:
            model = keras.models.load_model(path, safe_mode=safe_mode)
        except Exception as error:  # Keras raises many kinds; the learner needs one sentence
            refused = _code_error(path, error)
            if refused is not None:
                raise refused from None
            raise ModelFileError(
                _("Keras could not load {path} ({error}); the file may be damaged "
                  "or saved by a newer Keras: save it again.").format(path=pretty_path(path), error=type(error).__name__)
            ) from error
    class_names = [str(name) for name in class_names]
    if len(class_names) != output_classes(model):
        raise ModelFileError(
            _("{path} predicts {classes} classes but names {names}; save it again with the right class names.").format(
                path=pretty_path(path), classes=output_classes(model), names=len(class_names))
        )
    return model, class_names
