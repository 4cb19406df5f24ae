"""The one call's CPU recipe: a frozen base's features computed once per photo, a head fitted on them.

Chollet's "fast feature extraction" (Deep Learning with Python, chapter 8): a frozen base gives
the same features for the same photo in every epoch, so computing them once, for each photo and
its mirror image (the one augmentation whose features are worth keeping), and fitting the head on
those numbers makes the head's "epochs" nearly free. The head is a logistic regression
(scikit-learn, L2-regularised) on the training and validation photos together: five-fold
cross-validation chooses its strength ``C`` (lowest held-out log loss; a photo and its mirror image
always in the same fold), the head is refitted on every photo with it, and each validation photo's
accuracy is read from the fold that never saw it. Its weights are then copied into the Keras ``Dense`` head of
:func:`helpers.transfer.build_transfer_classifier`: the model saved is the usual one, raw photos in
(base + head), so :mod:`helpers.predict` and Keras load it as before.

:func:`train_on_features` is what :func:`helpers.train.train_from_folder` and
:func:`helpers.train.train_from_csv` run when :func:`helpers.train.options.choose_defaults`
chose the ``"features"`` recipe (a pretrained base on a CPU, no epochs or fine-tuning asked for).
Nothing is kept on disk: an interrupted run computes the features again (seconds).

Introduced in ``05_flowers_train_from_folder.ipynb`` (the one call); the recipe itself is written
in plain Keras in ``06_transfer_learning.ipynb``.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np

from helpers.language import N_, _

#: The head's regularisation strengths tried (scikit-learn's ``C``: larger is weaker); cross-validation picks one.
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)

#: Set by :func:`train_on_features`: the command's Ctrl-C line then says there is nothing to resume.
last_run_computed_features = False

#: What ``python -m helpers.train`` says when Ctrl-C stops a run of this recipe.
INTERRUPTED = N_("Interrupted while computing the photos' features: this recipe keeps no state, so nothing was saved; "
                 "run the same command again (it computes them again, in seconds to minutes).")

#: The most memory the cached features may take (bytes): beyond it the epoch-by-epoch recipe trains instead.
MEMORY_BUDGET = 2 * 1024**3


def feature_bytes(images: int, mirror: bool, width: int = 1280) -> int:
    """Memory the cached features of ``images`` photos take (float32, ``width`` numbers each; twice with mirror images)."""
    return images * (2 if mirror else 1) * width * 4


def too_large(images: int, mirror: bool, budget: int | None = None) -> str:
    """One sentence when the features of ``images`` photos would not fit in the memory budget, else ``""``."""
    budget = MEMORY_BUDGET if budget is None else budget
    needed = feature_bytes(images, mirror)
    try:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4
        budget = min(budget, free)
    except (ValueError, OSError, AttributeError):  # not on every system
        pass
    if needed <= budget:
        return ""
    return _("the features of {images:,} photos would take {needed:.1f} GB of memory, more than the {budget:.1f} GB allowed: "
             "training epoch by epoch instead (each photo decoded and run through the base every epoch).").format(
        images=images, needed=needed / 1024**3, budget=budget / 1024**3)


def extract(extractor, dataset, mirror: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The pooled features of every image of ``dataset`` (batches of ``(images, labels)``), and the labels.

    ``extractor`` is a Keras model (photos in, features out) or a function made from one. With
    ``mirror``, each batch is run together with its left-right mirror image, and the mirror
    images' features follow the originals' (rows ``n..2n-1``, labels repeated).
    """
    import tensorflow as tf

    call = compiled(extractor) if hasattr(extractor, "layers") else extractor
    features, mirrored, labels = [], [], []
    for images, y in dataset:
        count = int(images.shape[0])
        batch = tf.concat([images, tf.reverse(images, axis=[2])], axis=0) if mirror else images
        out = call(tf.cast(batch, tf.float32)).numpy().astype("float32")
        features.append(out[:count])
        if mirror:
            mirrored.append(out[count:])
        labels.append(np.asarray(y).reshape(-1).astype(int))
    if not features:
        return np.zeros((0, 0), "float32"), np.zeros(0, int)
    x, y = np.concatenate(features + mirrored), np.concatenate(labels)
    return x, (np.concatenate([y, y]) if mirror else y)


def compiled(extractor):
    """``extractor`` called in inference mode as one traced TensorFlow function, traced once for any batch size."""
    import tensorflow as tf

    shape = (None, *tuple(extractor.input_shape)[1:])
    return tf.function(lambda x: extractor(x, training=False), input_signature=[tf.TensorSpec(shape, tf.float32)])


def _probabilities(model, x: np.ndarray, num_classes: int) -> np.ndarray:
    """``model.predict_proba`` with a column for every class (a class missing from training gets 0)."""
    out = np.zeros((len(x), num_classes))
    out[:, model.classes_.astype(int)] = model.predict_proba(x)
    return out


def log_loss(y: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean negative log-probability of the true classes (scikit-learn's ``log_loss``; ``nan`` for no photo)."""
    from sklearn.metrics import log_loss as sklearn_log_loss

    if len(y) == 0:
        return float("nan")
    clipped = np.clip(np.asarray(probabilities, "float64"), 1e-7, 1.0)
    return float(sklearn_log_loss(y, clipped / clipped.sum(axis=1, keepdims=True), labels=range(clipped.shape[1])))


def _folds(y: np.ndarray, groups: np.ndarray, folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation splits that keep each photo and its mirror image together, classes spread evenly."""
    import warnings

    from sklearn.model_selection import StratifiedGroupKFold

    folds = min(folds, len(np.unique(groups)))
    if folds < 2:
        return []
    with warnings.catch_warnings():  # a class with fewer photos than folds: some folds lack it (handled below)
        warnings.simplefilter("ignore", UserWarning)
        return list(StratifiedGroupKFold(n_splits=folds).split(np.zeros(len(y)), y, groups))


def fit_head(x: np.ndarray, y: np.ndarray, groups: np.ndarray, num_classes: int, grid=C_GRID,
             folds: int = 5) -> tuple[np.ndarray, np.ndarray, dict, np.ndarray]:
    """Choose a logistic regression's ``C`` by cross-validation, refit it on every row, return it as Dense weights.

    ``x`` holds the features of the training and validation photos (and of their mirror images),
    ``groups`` which photo each row comes from: a photo and its mirror image always fall in the
    same fold, so no photo is scored by a head that saw its mirror image. Each ``C`` of ``grid`` is
    scored by its held-out (out-of-fold) log loss; the lowest wins (ties go to the strongest
    regularisation), and the head is refitted on all rows with it (scikit-learn's ``refit``).

    Returns ``(kernel, bias, record, held_out)``: the Dense head's weights, ``kernel`` of shape
    ``(features, units)`` with one unit for two classes (a sigmoid, as
    :func:`helpers.models.output_layer` builds) and one per class otherwise (a softmax); ``record``
    with the ``C`` kept and each ``C``'s held-out log loss; and ``held_out``, every row's class
    probabilities from the fold that did not train on it, for the ``C`` kept (an honest score of
    each photo). The features are standardised for the fit, then the scaling is folded into the
    weights, so the head takes the raw features.
    """
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    xs = (x - mean) / scale
    present = np.unique(y)
    units = 1 if num_classes == 2 else num_classes
    kernel, bias = np.zeros((x.shape[1], units), "float32"), np.zeros(units, "float32")
    held_out = np.full((len(x), num_classes), 1.0 / num_classes)
    if len(present) < 2:  # one class only among the photos: predict it
        if num_classes == 2:
            bias[0] = 10.0 if len(present) and present[0] == 1 else -10.0
        elif len(present):
            bias[present[0]] = 10.0
        return kernel, bias, {"C": None, "validation_log_loss": {}}, held_out
    splits = _folds(y, groups, folds)
    predicted = {c: held_out.copy() for c in grid}
    for train_rows, test_rows in splits:
        if len(np.unique(y[train_rows])) < 2:
            continue
        for c in grid:
            model = LogisticRegression(C=c, max_iter=500).fit(xs[train_rows], y[train_rows])
            predicted[c][test_rows] = _probabilities(model, xs[test_rows], num_classes)
    losses = {c: log_loss(y, predicted[c]) for c in grid} if splits else {}
    chosen = min(losses, key=lambda c: (losses[c], c)) if losses else grid[0]
    model = LogisticRegression(C=chosen, max_iter=500).fit(xs, y)
    coef, intercept = model.coef_ / scale, model.intercept_ - (model.coef_ * mean / scale).sum(axis=1)
    if num_classes == 2:
        kernel[:, 0], bias[0] = coef[0], intercept[0]
    else:
        bias[:] = -30.0  # a class no training photo has
        for row, label in enumerate(model.classes_.astype(int)):
            kernel[:, label], bias[label] = coef[row], intercept[row]
    return kernel, bias, {"C": chosen, "validation_log_loss": losses}, predicted[chosen]


def separation_note(evaluation, class_names) -> str:
    """A sentence when the validation accuracy is not clearly above always answering the largest class, else ``""``."""
    from helpers.evaluate import standard_error_of_accuracy

    y = np.asarray(evaluation.y_true)
    if len(y) == 0:
        return _("no validation photo: the head's strength could not be chosen and nothing measures the model; use a larger folder.")
    majority = np.bincount(y, minlength=len(class_names)).max() / len(y)
    accuracy = evaluation.accuracy
    se = max(standard_error_of_accuracy(majority, len(y)), 1e-6 / math.sqrt(len(y)))  # never 0: one class only
    if accuracy > majority + 2 * se:
        return ""
    return _("the base's features barely separate these classes ({accuracy:.1%} on validation, {majority:.1%} by always "
             "answering the largest class): add photos, or try base=None (a CNN trained from scratch) or fine_tune_epochs=4.").format(
        accuracy=accuracy, majority=majority)


def train_on_features(splits, choices, *, mirror: bool = True, verbose: int = 1):
    """Build the base under a new head, fit the head on cached features, and return a :class:`helpers.train.fit.TrainResult`.

    ``splits`` is a :class:`~helpers.data.folders.FolderDatasets` of raw 0-255 photos without augmentation;
    ``choices`` a :class:`helpers.train.options.Choices` naming an ImageNet base. The training
    photos' features (and their mirror images', with ``mirror``) are computed once, the
    validation and test photos' once; :func:`fit_head` fits the head; the returned model is the
    base with that head, taking raw photos. ``history`` holds one entry (the head's fit), so
    ``result.epochs`` is 1.
    """
    import keras

    from helpers.evaluate import Evaluation
    from helpers.predict import class_probabilities
    from helpers.train.fit import TrainResult, _history
    from helpers.transfer import build_transfer_classifier

    global last_run_computed_features
    last_run_computed_features = True
    start = time.perf_counter()
    names = list(splits.class_names)
    model = build_transfer_classifier(choices.base, len(names), tuple(splits.image_size), choices.weights)
    extractor = compiled(keras.Model(model.inputs, model.get_layer("pool").output, name="features"))
    x_train, y_train = extract(extractor, splits.train, mirror=mirror)
    x_val, y_val = extract(extractor, splits.validation, mirror=mirror)
    copies = 2 if mirror else 1
    n_train, n_val = len(y_train) // copies, len(y_val) // copies
    x, y = np.concatenate([x_train, x_val]), np.concatenate([y_train, y_val])
    photo = np.concatenate([np.tile(np.arange(n_train), copies), n_train + np.tile(np.arange(n_val), copies)])
    kernel, bias, record, held_out = fit_head(x, y, photo, len(names))
    head = model.get_layer("head")
    head.set_weights([kernel, bias])

    def evaluate(features, labels) -> Evaluation:
        outputs = np.asarray(head(features), dtype="float32") if len(features) else np.zeros((0, kernel.shape[1]), "float32")
        return Evaluation(labels, class_probabilities(outputs), names)

    # Validation: each validation photo scored by the cross-validation fold that never saw it (nor its mirror image).
    evaluation = Evaluation(y_val[:n_val], held_out[len(y_train):len(y_train) + n_val], names)
    trained = evaluate(x_train[:n_train], y_train[:n_train])
    metrics = {"validation_accuracy": evaluation.accuracy, "validation_loss": log_loss(evaluation.y_true, evaluation.probabilities),
               "training_accuracy": trained.accuracy}
    test_evaluation = None
    if splits.test is not None:
        test_evaluation = evaluate(*extract(extractor, splits.test))
        metrics["test_accuracy"] = test_evaluation.accuracy
    history = _history({"loss": [log_loss(trained.y_true, trained.probabilities)], "accuracy": [trained.accuracy],
                        "val_loss": [metrics["validation_loss"]], "val_accuracy": [evaluation.accuracy]}, [0])
    notes = [note for note in (separation_note(evaluation, names),) if note]
    result = TrainResult(model, history, names, metrics, evaluation, time.perf_counter() - start, splits, 1, test_evaluation, notes)
    result.head = {"C": record["C"], "validation_log_loss": record["validation_log_loss"], "features": int(x.shape[1]),
                   "training_rows": int(len(x))}
    if verbose >= 2:
        tried = ", ".join(f"C={c:g}: {loss:.3f}" for c, loss in record["validation_log_loss"].items())
        print(_("head fitted on {rows:,} feature rows of training and validation photos ({numbers} numbers each); "
                "cross-validated log loss {tried}; kept C={kept}").format(rows=len(x), numbers=x.shape[1], tried=tried, kept=record["C"]))
    return result


#: The options of :func:`helpers.train.fit.fit_and_evaluate` that only mean something epoch by epoch, with the value that leaves them unused.
EPOCH_OPTIONS = {"schedule": None, "clipnorm": None, "strategy": None, "mixed_precision": None, "callbacks": (),
                 "fine_tune_layers": None, "fine_tune_learning_rate": None, "learning_rate": 1e-3, "patience": 10}


def possible(augment, fit_options: dict) -> bool:
    """Whether the features recipe can honour the call: no augmentation layer of your own, no option that needs epochs."""
    if augment not in (True, False, None):
        return False
    return all(fit_options.get(name, unused) in (None, unused) or (name == "callbacks" and not fit_options.get(name))
               for name, unused in EPOCH_OPTIONS.items())


def check_memory(choices, per_class: dict, validation_split: float | None, test_split: float | None, notes: list[str],
                 budget: int | None = None):
    """``choices`` as they are, or switched to the epoch-by-epoch recipe (with a note) when the features would not fit in memory."""
    import dataclasses

    from helpers.train.options import RECIPES

    images = sum(per_class.values())
    message = too_large(images, choices.mirror, budget)
    if not message:
        return choices
    notes.append(message)
    _side, epochs, fine_tune_epochs, _batch = RECIPES["light"]
    return dataclasses.replace(choices, recipe="epochs", mirror=False, epochs=epochs, fine_tune_epochs=fine_tune_epochs)
