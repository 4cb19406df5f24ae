"""Options of the training helpers: optimizer settings, precision, and a pretrained base under the model.

What :func:`helpers.train.fit.fit_and_evaluate` and :func:`helpers.train.train_from_folder` use to turn
their keyword arguments into Keras objects:

- :func:`make_optimizer`: Adam with an optional learning-rate schedule (``"cosine"``,
  ``"one_cycle"`` or your own ``LearningRateSchedule``) and optional gradient clipping (``clipnorm``);
- :func:`precision`: build a model in mixed precision (``float16`` compute, ``float32`` weights);
- :func:`transfer_builder`: a frozen pretrained base (a name from :data:`helpers.transfer.BASES`, or
  a Keras model) under a new head, for ``train_from_folder(base=...)``;
- :func:`choose_defaults`: what ``base="auto"`` and the settings left at ``None`` become (the base,
  image size, epochs, batch), from the profile, the machine and which weight files can be had.

Introduced in ``05_flowers_train_from_folder.ipynb``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator

import keras

from helpers.errors import TrainSettingError
from helpers.language import N_, _

#: The schedules known by name.
SCHEDULES = ("cosine", "one_cycle")


def steps_per_epoch(dataset) -> int:
    """Batches in one pass over a batched ``tf.data.Dataset`` (counted when TensorFlow cannot tell)."""
    count = int(dataset.cardinality())
    return count if count >= 0 else sum(1 for _batch in dataset)


def learning_rate_schedule(schedule, learning_rate: float, total_steps: int):
    """The learning rate (or ``LearningRateSchedule``) for ``schedule``, peaking at ``learning_rate``.

    - ``None``: the constant ``learning_rate``;
    - ``"cosine"``: from ``learning_rate`` down to 0 along a half cosine over ``total_steps``;
    - ``"one_cycle"``: a linear warm-up from ``learning_rate / 25`` to ``learning_rate`` over the
      first 25% of the steps, then a cosine down to ``learning_rate / 25,000`` (Leslie Smith's
      one-cycle policy, with fastai's defaults);
    - a ``keras.optimizers.schedules.LearningRateSchedule``: used as it is.
    """
    if schedule is None or isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        return learning_rate if schedule is None else schedule
    if schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=max(1, total_steps))
    if schedule == "one_cycle":
        warmup = max(1, int(0.25 * total_steps))
        return keras.optimizers.schedules.CosineDecay(
            learning_rate / 25, decay_steps=max(1, total_steps - warmup), warmup_target=learning_rate,
            warmup_steps=warmup, alpha=1 / 1000,
        )
    raise TrainSettingError(
        _("schedule must be None, {schedules}, or a keras LearningRateSchedule, not {schedule!r}.").format(
            schedules=_(" or ").join(repr(s) for s in SCHEDULES), schedule=schedule)
    )


def make_optimizer(learning_rate: float = 1e-3, *, schedule=None, total_steps: int = 1, clipnorm: float | None = None):
    """Adam at ``learning_rate`` (or following ``schedule``), with gradients clipped to ``clipnorm`` if given.

    ``clipnorm`` rescales each weight's gradient whose L2 norm exceeds it: one bad batch can then no
    longer throw the weights far off (a common cure for a loss that jumps up or becomes NaN).
    """
    if clipnorm is not None and clipnorm <= 0:
        raise TrainSettingError(_("clipnorm must be a positive number such as 1.0, not {clipnorm}.").format(clipnorm=clipnorm))
    return keras.optimizers.Adam(learning_rate_schedule(schedule, learning_rate, total_steps), clipnorm=clipnorm)


@contextlib.contextmanager
def precision(mixed: bool | None) -> Iterator[None]:
    """Build models inside this block in mixed precision (``True``), in float32 (``False``), or as set globally (``None``).

    Mixed precision (``mixed_float16``) computes in float16 and keeps the weights in float32: about
    twice as fast on GPUs with tensor cores (compute capability 7.0 or more), slower on a CPU. The
    course's models keep a float32 softmax at the end, so probabilities and losses stay accurate;
    ``compile`` then adds loss scaling by itself. The global policy is put back on leaving the block.
    """
    if mixed is None:
        yield
        return
    before = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16" if mixed else "float32")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(before)


def check_base(base, weights) -> None:
    """Fail before any data is loaded if ``base`` is unknown or its ImageNet weights cannot be had.

    Raises:
        CourseError: an unknown base name; ``TrainSettingError`` for ``weights="imagenet"`` on a base
            that has none (:func:`helpers.data.weights.weight_file`); :class:`helpers.errors.WeightsUnavailableError`
            when the weight file is in no cache, mirror or origin.
    """
    if not isinstance(base, str):
        if not isinstance(base, keras.Model):
            raise TrainSettingError(_("base must be a name such as 'MobileNetV2' or a Keras model, not {type}.").format(
                type=type(base).__name__))
        return
    from helpers import transfer
    from helpers.data.weights import fetch_weights

    transfer.get_base(base)  # an unknown name
    if isinstance(weights, str) and weights == "imagenet":
        fetch_weights(base)  # a base without ImageNet weights: weights.weight_file says so and what to do


def transfer_builder(base, weights: str | os.PathLike | None = "imagenet", dropout: float = 0.2) -> Callable:
    """A function ``(input_shape, num_classes) -> model`` that puts a frozen ``base`` under a new head.

    ``base`` is a name from :data:`helpers.transfer.BASES` (built by
    :func:`helpers.transfer.build_transfer_classifier`, with the base's own ``preprocess_input``
    inside the model and ``weights`` loaded), or a Keras model taking raw 0-255 pixels; both get
    the one head of :func:`helpers.transfer.classifier_on`.
    """
    from helpers import transfer

    def build(input_shape: tuple[int, int, int], num_classes: int) -> keras.Model:
        if isinstance(base, keras.Model):
            return transfer.classifier_on(base, num_classes, tuple(input_shape[:2]), dropout)
        return transfer.build_transfer_classifier(base, num_classes, tuple(input_shape[:2]), weights, dropout=dropout)

    return build


def fine_tune_settings(model: keras.Model, layers: int | None, learning_rate: float | None) -> tuple[int, float]:
    """How many top layers of the base to unfreeze and at what learning rate: the base's recipe unless given.

    For a named base the recipe is :class:`helpers.transfer.BaseSpec` (``fine_tune_layers``,
    ``fine_tune_learning_rate``: 1e-5 for the ImageNet bases); for a base of your own, the whole
    base at 1e-5.
    """
    from helpers import transfer

    spec = transfer.BASES.get(transfer.base_of(model).name)
    default_layers = spec.fine_tune_layers if spec else len(transfer.base_of(model).layers)
    default_rate = spec.fine_tune_learning_rate if spec else 1e-5
    return (default_layers if layers is None else layers), (default_rate if learning_rate is None else learning_rate)



# --------------------------------------------------------------------------- what the defaults turn into
#: ``base="auto"``: the bases tried in order, the first whose ImageNet weights can be had wins. On a
#: GPU in the full profile, stronger bases at their own 224 px first; otherwise (and as the last
#: resort) the light MobileNetV2 whose 2 MB file the course mirror serves.
AUTO_BASES = {"gpu": ("EfficientNetB0", "MobileNetV2", "MobileNetV2-0.35"), "cpu": ("MobileNetV2-0.35",),
              "features": ("MobileNetV2-0.5", "MobileNetV2-0.35")}

#: The recipe behind each kind of default: image side, head epochs, fine-tuning epochs, batch.
#: "light": a frozen light base on a CPU, measured in ``benchmarks/speed.py --only train-cli``;
#: "strong": a larger base on a GPU; "scratch": the from-scratch course CNN (notebook 05's recipe).
#: "features": a frozen base's features computed once per photo, a head fitted on them
#: (:mod:`helpers.train.features`; measured in ``benchmarks/one_call.py``): the quick profile's default.
RECIPES = {"light": (160, 8, 4, 32), "strong": (224, 10, 10, 32), "scratch": (180, 40, 0, 32), "features": (224, 0, 0, 32)}


@dataclasses.dataclass
class Choices:
    """What :func:`helpers.train.train_from_folder` trains with, and why (``TrainResult.choices``).

    Attributes:
        base: the base's name, a Keras model, or ``None`` for the from-scratch course CNN.
        weights: ``"imagenet"``, ``None`` or a file (``None`` when there is no base).
        image_size, epochs, fine_tune_epochs, batch_size: the values in force.
        why: one phrase saying where they come from (``"quick profile, CPU"``, ``"given"``...).
        fallback: the one-line reason when a pretrained default could not be had, else ``""``.
        recipe: ``"features"`` (the base's features computed once per photo, and per mirror image
            with ``mirror``, a head fitted on them: :mod:`helpers.train.features`) or ``"epochs"``
            (the model trained epoch by epoch, then fine-tuned).
        mirror: with ``"features"``, whether the mirror images' features are computed too (``augment=True``).
    """

    base: object
    weights: object
    image_size: tuple[int, int]
    epochs: int
    fine_tune_epochs: int
    batch_size: int
    why: str
    fallback: str = ""
    recipe: str = "epochs"
    mirror: bool = False

    def line(self) -> str:
        """The first line :func:`helpers.train.train_from_folder` prints."""
        size = f"{self.image_size[0]}x{self.image_size[1]} px"
        why = _why_text(self.why)
        if self.base is None:
            return _("Model: the course CNN trained from scratch ({why}): {size}, up to {epochs} epochs, batch {batch_size}").format(
                why=why, size=size, epochs=self.epochs, batch_size=self.batch_size)
        name = self.base if isinstance(self.base, str) else _("your {model}").format(model=self.base.name)
        if self.weights == "imagenet":
            with_weights = _("with ImageNet weights")
        else:
            with_weights = _("with random weights") if self.weights is None else _("with weights from a file")
        if self.recipe == "features":
            line = (_("Base: {name} {with_weights} ({why}): {size}, its features computed once per photo and its mirror image, "
                      "a head fitted on them and cross-validated (no epochs, no fine-tuning: on a CPU the fastest way to the "
                      "base's accuracy; epochs= or fine_tune_epochs= train epoch by epoch), batch {batch_size}") if self.mirror
                    else _("Base: {name} {with_weights} ({why}): {size}, its features computed once per photo, a head fitted "
                           "on them and cross-validated (no epochs, no fine-tuning: on a CPU the fastest way to the base's "
                           "accuracy; epochs= or fine_tune_epochs= train epoch by epoch), batch {batch_size}"))
            return line.format(name=name, with_weights=with_weights, why=why, size=size, batch_size=self.batch_size)
        return _("Base: {name} {with_weights} ({why}): {size}, {epochs} head epochs + "
                 "{fine_tune_epochs} fine-tuning epochs, batch {batch_size}").format(
            name=name, with_weights=with_weights, why=why, size=size, epochs=self.epochs,
            fine_tune_epochs=self.fine_tune_epochs, batch_size=self.batch_size)

    def as_dict(self) -> dict:
        """The choices as plain values (the base's name), for records and reports."""
        values = dataclasses.asdict(dataclasses.replace(self, base=None))
        values["base"] = self.base if self.base is None or isinstance(self.base, str) else self.base.name
        values["weights"] = None if self.weights is None else str(self.weights)
        return values


#: Why the choices were made, as :func:`choose_defaults` records them (English), marked for the catalogues.
_WHY = (N_("quick profile, CPU"), N_("quick profile, GPU"), N_("full profile, CPU"), N_("full profile, GPU"),
        N_("your model"), N_("fallback"))


def _why_text(why: str) -> str:
    """:attr:`Choices.why` (recorded in English) in the language in force."""
    if why.startswith("given, "):
        return _("given, {where}").format(where=_(why.removeprefix("given, ")))
    return _(why)


def _weights_can_be_had(base: str) -> bool:
    from helpers.data.weights import fetch_weights, weights_cached
    from helpers.errors import WeightsUnavailableError

    if weights_cached(base):
        return True
    try:
        fetch_weights(base)
        return True
    except WeightsUnavailableError:
        return False


def choose_defaults(base, weights, image_size, epochs: int | None, fine_tune_epochs: int | None, batch_size: int | None,
                    *, model=None, features: bool = False, mirror: bool = True) -> Choices:
    """Fill in what the caller left to the course (``None``, ``base="auto"``), from the profile and the base.

    - ``base="auto"`` (the default): a pretrained base, fetched like the datasets
      (:func:`helpers.data.weights.fetch_weights`): in the full profile on a GPU the first of
      :data:`AUTO_BASES` ``["gpu"]`` whose weights can be had, else MobileNetV2 with alpha 0.35.
      With ``model=`` given it means no base. When no weights can be had: the course CNN from
      scratch, with ``fallback`` saying so and what to do.
    - ``base=None``: the from-scratch course CNN and notebook 05's recipe (180 px, 40 epochs).
    - a named base or a Keras model: as given, with the profile's recipe for what is left.
    - ``features=True`` (the one call passes it when no option needs training epoch by epoch):
      in the quick profile, for an ImageNet base (``"auto"``: MobileNetV2 with alpha 0.5, else
      0.35) with neither ``epochs`` nor ``fine_tune_epochs`` given, the ``"features"`` recipe at
      224 px (:mod:`helpers.train.features`), with the mirror images' features when ``mirror``.

    Raises:
        TrainSettingError: ``base="auto"`` with ``weights`` other than ``"imagenet"``.
    """
    from helpers.data.weights import weight_file
    from helpers.profile import current_profile, gpu_names

    profile = current_profile()[0]
    gpu = profile == "full" and bool(gpu_names())
    where = f"{profile} profile, {'GPU' if gpu else 'CPU'}"
    fallback, why = "", where
    # the features recipe: asked for by the caller, on a CPU in the quick profile, with no epochs to train
    cached = features and profile == "quick" and not gpu and epochs is None and not fine_tune_epochs
    if isinstance(base, str) and base == "auto":
        if model is not None:
            base, why = None, "your model"
        elif not (isinstance(weights, str) and weights == "imagenet"):
            raise TrainSettingError(_("base='auto' always uses ImageNet weights: name a base (base='MobileNetV2-0.35') "
                                      "to choose other weights."))
        else:
            candidates = AUTO_BASES["gpu" if gpu else "features" if cached else "cpu"]
            base = next((name for name in candidates if _weights_can_be_had(name)), None)
            if base is None:
                why, file = "fallback", weight_file(candidates[-1]).filename
                fallback = _("No ImageNet weights could be had for {base} ({file}): training the course CNN from scratch "
                             "instead, which needs more epochs for a lower accuracy; connect, or set COURSE_DATA_MIRROR to a folder "
                             "or URL holding models/{file}, to get the pretrained default.").format(base=candidates[-1], file=file)
    elif base is None:
        why = "base=None" if model is None else "your model"
    else:
        why = f"given, {where}"
    from helpers import transfer

    recipe = "features" if cached and isinstance(base, str) and transfer.get_base(base).imagenet else "epochs"
    side, head_epochs, tune_epochs, batch = RECIPES["scratch" if base is None else "strong" if gpu else "features" if recipe == "features" else "light"]
    if isinstance(base, str):
        side = max(side, transfer.get_base(base).min_size)
    size = (side, side) if image_size is None else (image_size, image_size) if isinstance(image_size, int) else (int(image_size[0]), int(image_size[1]))
    return Choices(
        base=base, weights=weights if base is not None else None, image_size=size,
        epochs=head_epochs if epochs is None else epochs,
        fine_tune_epochs=(tune_epochs if fine_tune_epochs is None else fine_tune_epochs) if base is not None else 0 if fallback else (fine_tune_epochs or 0),
        batch_size=batch if batch_size is None else batch_size, why=why, fallback=fallback, recipe=recipe,
        mirror=recipe == "features" and mirror,
    )


def sort_options(options: dict, steps: dict[str, tuple], caller: str) -> dict[str, dict]:
    """Sort a one-call function's extra keyword arguments into the step that takes each one.

    :func:`helpers.train.train_from_folder` and :func:`helpers.train.train_from_csv` accept the
    options of several steps (reading the data, building, fitting) as ``**options``; this hands
    each one to its step, so a misspelt option fails at once instead of being ignored.

    Args:
        options: the keyword arguments the caller received beyond its own.
        steps: each step's name and the option names it takes (:data:`helpers.train.STEP_OPTIONS`).
        caller: the calling function's name, for the error message.

    Returns:
        One dict per step in ``steps``, holding the options that step takes (empty where none).

    Raises:
        TypeError: an option no step takes, naming those they take.
    """
    known = {name: step for step, names in steps.items() for name in names}
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise TypeError(_("{caller}() got unexpected keyword arguments: {unknown} (it takes, besides its own: {known})").format(
            caller=caller, unknown=", ".join(unknown), known=", ".join(sorted(known))))
    sorted_options: dict[str, dict] = {step: {} for step in steps}
    for name, value in options.items():
        sorted_options[known[name]][name] = value
    return sorted_options
