"""Options of the training helpers on real Caltech-101 photos (tiny sizes keep it fast).

Resuming an interrupted run, stopping on a NaN loss with an explanation, schedules and clipnorm,
mixed precision with a float32 output, transfer learning with ``base=``, and batch/learning-rate
scaling with a strategy's replicas.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import types

import keras
import numpy as np
import pytest

from helpers import errors, models, train, transfer
from helpers.data import download, folders, weights
from helpers.errors import CourseError, TrainingDivergedError, TrainSettingError
from helpers.train import callbacks as train_callbacks
from helpers.train import command, fit
from helpers.train import options as train_options

TINY_CNN = functools.partial(models.folder_cnn, widths=(8, 16), convs_per_block=1)
TWO = dict(image_size=32, classes=["crab", "cup"], augment=False, verbose=0)


@pytest.fixture(scope="module")
def caltech():
    return download.fetch("caltech101", verbose=False)


@pytest.fixture(scope="module")
def splits(caltech):
    """Crab and cup photos at 32x32: 104 training and 26 validation images, 7 batches of 16."""
    return folders.image_datasets(caltech, (32, 32), 16, validation_split=0.2, classes=["crab", "cup"], verbose=False)


def _weights(model) -> list[np.ndarray]:
    return [np.array(w) for w in model.get_weights()]


class _Interrupt(keras.callbacks.Callback):
    """Raises KeyboardInterrupt (as Ctrl-C does) at the end of epoch ``after``, keeping the weights it had then."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after, self.kept = after, None

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.after:
            self.kept = _weights(self.model)
            raise KeyboardInterrupt


class _FirstWeights(keras.callbacks.Callback):
    """Keeps the weights the model has when training begins (after the backup was restored), and counts the fits."""

    fits = 0

    def on_train_begin(self, logs=None):
        self.kept, self.fits = _weights(self.model), self.fits + 1


def test_an_interrupted_run_goes_on_from_its_last_completed_epoch(splits, tmp_path, capsys):
    run = tmp_path / "run"
    options = dict(model=TINY_CNN, epochs=4, patience=10, run_dir=run, verbose=0)
    interrupt = _Interrupt(after=2)
    keras.utils.set_random_seed(0)
    with pytest.raises(KeyboardInterrupt):
        fit.fit_and_evaluate(splits, callbacks=[interrupt], **options)
    assert (run / "backup" / "state.npz").is_file(), "the state of epoch 2 waits in the run folder"

    first = _FirstWeights()
    keras.utils.set_random_seed(0)
    result = fit.fit_and_evaluate(splits, callbacks=[first], **options)
    out = capsys.readouterr().out
    assert out.count("Resuming an interrupted run: epoch 2 was the last one completed, so training goes on from epoch 3 (") == 1
    assert result.history.epoch == [0, 1, 2, 3], "one history across the interruption (epochs 3 and 4 ran again)"
    assert result.epochs == 4 and 1 <= result.best_epoch <= 4
    for restored, saved in zip(first.kept, interrupt.kept):
        np.testing.assert_array_equal(restored, saved)  # it started from the weights of the end of epoch 2
    assert not (run / "backup").exists(), "a completed run deletes its backup, so the next run starts fresh"
    assert result.model._initial_epoch is None, "a later fit of the same model starts where it is told"


def test_an_interrupted_fine_tuning_goes_on_without_training_the_head_again(splits, tmp_path, capsys):
    run = tmp_path / "run"
    options = dict(model=train_options.transfer_builder("cifar10_cnn", None), epochs=2, fine_tune_epochs=3, fine_tune_layers=4,
                   patience=10, run_dir=run, verbose=0)
    interrupt = _Interrupt(after=4)  # Ctrl-C at the end of the second fine-tuning epoch (epochs count across both phases)
    keras.utils.set_random_seed(0)
    with pytest.raises(KeyboardInterrupt):
        fit.fit_and_evaluate(splits, callbacks=[interrupt], **options)
    assert (run / "fine_tune" / "backup" / "state.npz").is_file() and (run / "head_history.json").is_file()
    assert not (run / "backup").exists(), "the head phase had completed"

    first = _FirstWeights()
    keras.utils.set_random_seed(1)  # another seed: the weights can only come from the backup
    result = fit.fit_and_evaluate(splits, callbacks=[first], **options)
    out = capsys.readouterr().out
    assert "going straight to fine-tuning" in out and "epoch 4 was the last one completed" in out
    assert first.fits == 1, "one fit only, the fine-tuning's: the head was not trained again"
    assert result.history.epoch == [0, 1, 2, 3, 4], "the head's two epochs as saved, the fine-tuning's two, then the one left"
    assert result.epochs == 5 and len(result.history.history["val_loss"]) == 5 and 1 <= result.best_epoch <= 5
    for restored, saved in zip(first.kept, interrupt.kept):
        np.testing.assert_array_equal(restored, saved)  # fine-tuning went on from the weights of the end of epoch 4
    assert transfer.trainable_layer_names(result.model) == ["conv3"], "still the fine-tuned model"
    assert not (run / "fine_tune" / "backup").exists(), "a completed run deletes its backup"
    assert not (run / "head_history.json").exists(), "and its finished head phase: the same call again trains afresh"


def test_a_nan_loss_stops_the_run_with_an_explanation(splits, tmp_path, capsys):
    keras.utils.set_random_seed(0)
    with pytest.raises(TrainingDivergedError) as error:
        fit.fit_and_evaluate(splits, model=TINY_CNN, epochs=3, learning_rate=1e20, run_dir=tmp_path / "nan", verbose=0)
    message = str(error.value)
    assert message.startswith("The training loss became NaN (not a number) at batch ")
    assert "learning rate (1e+20) is probably too high" in message and "Lower learning_rate (for example to 1e+19)" in message
    assert "clipnorm=1.0" in message and message.count(". ") == 1 and "\n" not in message, "two sentences"
    assert isinstance(error.value, CourseError) and error.value._render_traceback_() == [f"TrainingDivergedError: {message}"]
    assert "NaN" not in capsys.readouterr().out, "said once, by the error, not printed as well"
    assert not (tmp_path / "nan" / "backup").exists(), "a stopped run does not resume into the same NaN"


def test_stop_on_nan_prints_its_explanation_when_used_as_a_plain_callback():
    callback = train_callbacks.StopOnNaN()
    callback.set_model(types.SimpleNamespace(optimizer=types.SimpleNamespace(learning_rate=0.5), stop_training=False))
    callback.on_epoch_begin(2)
    callback.on_batch_end(0, {"loss": 0.7})
    assert callback.message is None and not callback.model.stop_training
    callback.on_batch_end(4, {"loss": float("nan")})
    assert callback.model.stop_training and "at batch 5 of epoch 3" in callback.message and "(0.5)" in callback.message


def test_schedules_and_clipnorm(splits):
    cosine = train_options.learning_rate_schedule("cosine", 1e-2, 100)
    assert float(cosine(0)) == pytest.approx(1e-2) and float(cosine(100)) == pytest.approx(0, abs=1e-9)
    cycle = train_options.learning_rate_schedule("one_cycle", 1e-2, 100)
    rates = [float(cycle(step)) for step in (0, 25, 60, 100)]
    assert rates[0] == pytest.approx(4e-4) and rates[1] == pytest.approx(1e-2), "warm-up from peak/25 to the peak"
    assert rates[1] > rates[2] > rates[3] == pytest.approx(1e-5), "then a cosine down to peak/1000"
    assert train_options.learning_rate_schedule(None, 3e-4, 10) == 3e-4
    assert command.SCHEDULES == train_options.SCHEDULES, "--schedule offers the same choices"
    with pytest.raises(TrainSettingError, match="'cosine' or 'one_cycle'"):
        train_options.make_optimizer(schedule="linear")
    with pytest.raises(TrainSettingError, match="clipnorm"):
        train_options.make_optimizer(clipnorm=0)
    # a real run: the schedule spans the 7 batches x 2 epochs, and no ReduceLROnPlateau fights it
    keras.utils.set_random_seed(0)
    result = fit.fit_and_evaluate(splits, model=TINY_CNN, epochs=2, schedule="one_cycle", clipnorm=1.0, verbose=0)
    optimizer = result.model.optimizer
    assert optimizer.clipnorm == 1.0 and optimizer.iterations.numpy() == 14
    assert isinstance(optimizer._learning_rate, keras.optimizers.schedules.CosineDecay)
    assert optimizer._learning_rate.decay_steps + optimizer._learning_rate.warmup_steps == 14


def test_reduce_lr_on_plateau_steps_aside_for_a_schedule(splits, tmp_path, capsys):
    model = TINY_CNN((32, 32, 3), 2)
    model.compile(optimizer=train_options.make_optimizer(1e-3, schedule="cosine", total_steps=21), loss="sparse_categorical_crossentropy")
    callbacks = train_callbacks.standard_callbacks("s", "loss", lr_patience=0, tensorboard=False, root=tmp_path)
    model.fit(splits.train, epochs=3, callbacks=callbacks, verbose=0)  # Keras's own callback would raise TypeError here
    assert "follows a learning-rate schedule, so ReduceLROnPlateau leaves the learning rate alone" in capsys.readouterr().out


def test_mixed_precision_keeps_a_float32_output(splits):
    builders = {
        "mnist_cnn": lambda: models.mnist_cnn(),
        "cifar_classic_cnn": lambda: models.cifar_classic_cnn(),
        "cifar_modern_cnn": lambda: models.cifar_modern_cnn(width=8),
        "cats_dogs_cnn (2)": lambda: models.cats_dogs_cnn((96, 96, 3)),
        "cats_dogs_cnn (5)": lambda: models.cats_dogs_cnn((96, 96, 3), num_classes=5),
        "mnist_strong_cnn": lambda: models.mnist_strong_cnn(width=8),
        "folder_cnn": lambda: TINY_CNN((32, 32, 3), 3),
        "transfer (2)": lambda: transfer.build_transfer_classifier("cifar10_cnn", 2, (32, 32), weights=None),
        "transfer (4)": lambda: transfer.build_transfer_classifier("cifar10_cnn", 4, (32, 32), weights=None),
    }
    with train_options.precision(True):
        built = {name: build() for name, build in builders.items()}
    assert keras.mixed_precision.global_policy().name == "float32", "the global policy is put back"
    for name, model in built.items():
        output = model(np.zeros((1, *model.input_shape[1:]), "float32"))
        assert model.layers[-1].dtype_policy.name == "float32" and output.dtype == "float32", name
        assert any(layer.dtype_policy.name == "mixed_float16" for layer in model.layers), name
    keras.utils.set_random_seed(0)
    result = fit.fit_and_evaluate(splits, model=TINY_CNN, epochs=1, mixed_precision=True, verbose=0)
    assert result.model.dtype_policy.name == "mixed_float16" and result.model.outputs[0].dtype == "float32"
    assert type(result.model.optimizer).__name__ == "LossScaleOptimizer", "compile adds loss scaling by itself"
    assert np.isfinite(result.metrics["validation_loss"]) and np.allclose(result.evaluation.probabilities.sum(axis=1), 1, atol=1e-5)


def test_base_trains_the_head_then_fine_tunes(caltech, tmp_path):
    keras.utils.set_random_seed(0)
    result = train.train_from_folder(caltech, base="cifar10_cnn", weights=None, epochs=2, fine_tune_epochs=1, fine_tune_layers=4,
                                     run_dir=tmp_path / "run", save_to=tmp_path / "m.keras", **TWO)
    model = result.model
    preprocess = model.get_layer(transfer.PREPROCESS_NAME)
    assert transfer.base_of(model).name == "cifar10_cnn" and model.layers.index(preprocess) < model.layers.index(transfer.base_of(model))
    assert float(keras.ops.max(preprocess(np.full((1, 4, 4, 3), 255.0, "float32")))) == pytest.approx(1.0), "pixels scaled to [0, 1]"
    assert model.output_shape == (None, 1) and model.loss == "binary_crossentropy", "two classes: one sigmoid unit"
    assert transfer.trainable_layer_names(model) == ["conv3"], "the top of the base learns, batch norm stays frozen"
    assert model.optimizer.learning_rate.numpy() == pytest.approx(3e-4), "the base's fine-tuning rate"
    assert result.history.epoch == [0, 1, 2] and result.epochs == 3 and len(result.history.history["val_loss"]) == 3
    assert (tmp_path / "run" / "best.keras").is_file() and (tmp_path / "run" / "fine_tune" / "best.keras").is_file()
    keras_accuracy = result.model.evaluate(result.datasets.validation, verbose=0, return_dict=True)["accuracy"]
    assert result.metrics["validation_accuracy"] == pytest.approx(keras_accuracy, abs=1e-6) and result.saved_to.is_file()
    # a Keras model of your own as the base (it takes raw pixels: its preprocessing is inside it)
    own = transfer.cifar10_base(width=8, name="my_base")
    mine = train.train_from_folder(caltech, base=own, epochs=1, fine_tune_epochs=0, **{**TWO, "classes": ["crab", "cup", "ewer"]})
    assert transfer.base_of(mine.model) is own and not own.trainable and mine.model.output_shape == (None, 3)


def test_base_settings_fail_before_any_training(caltech, empty_cache, monkeypatch):
    for name, archive in list(weights.IMAGENET_WEIGHTS.items()):  # the tests never download
        monkeypatch.setitem(weights.IMAGENET_WEIGHTS, name, dataclasses.replace(archive, origins=(f"http://127.0.0.1:9/{archive.filename}",)))
    monkeypatch.setattr(folders, "image_datasets", lambda *a, **k: pytest.fail("no data should be loaded"))
    with pytest.raises(errors.WeightsUnavailableError) as error:
        train.train_from_folder(caltech, base="MobileNetV2", **TWO)
    message = str(error.value)
    assert weights.IMAGENET_WEIGHTS["MobileNetV2"].filename in message and "COURSE_DATA_MIRROR" in message and "\n" not in message
    with pytest.raises(CourseError, match="no base called 'MobileNet'"):
        train.train_from_folder(caltech, base="MobileNet", **TWO)
    with pytest.raises(TrainSettingError):  # cifar10_cnn has no ImageNet weights (the wording: tests/test_weights.py)
        train.train_from_folder(caltech, base="cifar10_cnn", **TWO)
    with pytest.raises(CourseError, match="not both"):
        train.train_from_folder(caltech, base="cifar10_cnn", weights=None, model=TINY_CNN, **TWO)
    with pytest.raises(CourseError, match="needs a pretrained base"):
        train.train_from_folder(caltech, base=None, fine_tune_epochs=2, **TWO)
    with pytest.raises(CourseError, match="always uses ImageNet weights"):
        train.train_from_folder(caltech, weights=None, **TWO)


def test_command_line_base(caltech, tmp_path, capsys):
    status = command.main([str(caltech), "--classes", "crab,cup", "--image-size", "32", "--epochs", "1", "--base", "cifar10_cnn",
                         "--random-weights", "--fine-tune-epochs", "1", "--no-augment", "--output", str(tmp_path / "m.keras"), "-q"])
    out = capsys.readouterr().out
    assert status == 0 and "epoch" in out and "of 2 kept" in out
    assert out.startswith("Speed-ups: mixed precision off, XLA off"), "the accelerator decision, in one line"
    assert transfer.base_of(keras.models.load_model(tmp_path / "m.keras")).name == "cifar10_cnn"


def test_replicas_scale_the_batch_and_the_learning_rate(caltech, capsys):
    fake = types.SimpleNamespace(num_replicas_in_sync=2, scope=contextlib.nullcontext)  # the real thing: tests/test_distribute.py
    keras.utils.set_random_seed(0)
    result = train.train_from_folder(caltech, **{**TWO, "verbose": 1}, base=None, widths=(8,), convs_per_block=1, batch_size=16, epochs=1,
                                     learning_rate=1e-3, strategy=fake)
    assert "note: 2 replicas: global batch 32, learning rate 0.002 (linear scaling rule)." in capsys.readouterr().out
    assert next(iter(result.datasets.train))[0].shape[0] == 32
    assert result.model.optimizer.learning_rate.numpy() == pytest.approx(2e-3)
    with pytest.raises(CourseError, match="pass model as a function"):
        fit.fit_and_evaluate(result.datasets, model=result.model, strategy=fake)


# --------------------------------------------------------------------------- pretrained by default
def _dead_origins(monkeypatch) -> None:
    for name, archive in list(weights.IMAGENET_WEIGHTS.items()):  # the tests never download
        monkeypatch.setitem(weights.IMAGENET_WEIGHTS, name, dataclasses.replace(archive, origins=(f"http://127.0.0.1:9/{archive.filename}",)))


def test_the_defaults_follow_the_profile_and_the_base(monkeypatch):
    monkeypatch.setattr(weights, "weights_cached", lambda base: True)  # as if every file were in the Keras cache
    light = train_options.choose_defaults("auto", "imagenet", None, None, None, None)
    assert (light.base, light.image_size, light.epochs, light.fine_tune_epochs, light.batch_size) == ("MobileNetV2-0.35", (160, 160), 8, 4, 32)
    assert light.line() == "Base: MobileNetV2-0.35 with ImageNet weights (quick profile, CPU): 160x160 px, 8 head epochs + 4 fine-tuning epochs, batch 32"
    scratch = train_options.choose_defaults(None, "imagenet", None, None, None, None)
    assert (scratch.base, scratch.weights, scratch.image_size, scratch.epochs, scratch.fine_tune_epochs) == (None, None, (180, 180), 40, 0)
    assert scratch.line().startswith("Model: the course CNN trained from scratch (base=None): 180x180 px, up to 40 epochs")
    given = train_options.choose_defaults("InceptionV3", None, 96, 3, None, 8)
    assert (given.image_size, given.epochs, given.fine_tune_epochs, given.batch_size, given.why) == ((96, 96), 3, 4, 8, "given, quick profile, CPU")
    assert train_options.choose_defaults("InceptionV3", None, None, None, None, None).image_size == (160, 160)
    monkeypatch.setenv("COURSE_PROFILE", "full")
    monkeypatch.setattr("helpers.profile.gpu_names", lambda: ["a GPU"])
    strong = train_options.choose_defaults("auto", "imagenet", None, None, None, None)
    assert (strong.base, strong.image_size, strong.epochs, strong.fine_tune_epochs, strong.why) == ("EfficientNetB0", (224, 224), 10, 10, "full profile, GPU")
    assert train_options.AUTO_BASES["cpu"][0] in transfer.LIGHT_BASES and train_options.AUTO_BASES["gpu"][-1] in transfer.LIGHT_BASES


def test_the_default_call_trains_a_pretrained_base_and_says_so_first(caltech, capsys):
    if not weights.weights_cached("MobileNetV2-0.35"):
        pytest.skip("the light ImageNet weight files are not in this Keras cache")
    keras.utils.set_random_seed(0)
    result = train.train_from_folder(caltech, **{**TWO, "verbose": 1}, epochs=1, fine_tune_epochs=1)
    first = capsys.readouterr().out.splitlines()[0]
    assert first == train_options.Choices(**result.choices).line(), "the first line says what was chosen (its wording: the test above)"
    assert result.choices == {"base": "MobileNetV2-0.35", "weights": "imagenet", "image_size": (32, 32), "epochs": 1,
                              "fine_tune_epochs": 1, "batch_size": 32, "why": "quick profile, CPU", "fallback": "",
                              "recipe": "epochs", "mirror": False}
    assert transfer.base_of(result.model).name == "MobileNetV2-0.35" and result.epochs == 2
    assert transfer.trainable_layer_names(result.model), "the top of the base was fine-tuned"


def test_without_weights_one_line_then_the_course_cnn_from_scratch(caltech, empty_cache, monkeypatch, capsys):
    _dead_origins(monkeypatch)
    result = train.train_from_folder(caltech, **{**TWO, "verbose": 1}, epochs=1, widths=(8, 16), convs_per_block=1)
    lines = capsys.readouterr().out.splitlines()
    file = weights.IMAGENET_WEIGHTS["MobileNetV2-0.35"].filename
    assert lines[0].startswith("No ImageNet weights could be had for MobileNetV2-0.35") and f"models/{file}" in lines[0]
    assert "COURSE_DATA_MIRROR" in lines[0] and "from scratch" in lines[0]
    assert lines[1] == train_options.Choices(**result.choices).line() and result.choices["why"] == "fallback"
    assert result.choices["base"] is None and result.choices["fallback"] == lines[0] and result.notes[0] == lines[0]
    assert result.model.name == "folder_cnn" and result.epochs == 1


def test_base_none_is_the_old_from_scratch_recipe(caltech, monkeypatch):
    monkeypatch.setattr(weights, "fetch_weights", lambda *a, **k: pytest.fail("base=None needs no weights"))
    result = train.train_from_folder(caltech, base=None, epochs=1, widths=(8, 16), convs_per_block=1, **TWO)
    assert result.model.name == "folder_cnn" and result.choices["base"] is None and result.choices["why"] == "base=None"
    with pytest.raises(CourseError, match="no nested base"):
        transfer.base_of(result.model)


class _SpoilFineTuning(keras.callbacks.Callback):
    """From epoch ``start`` on, sets the head to a constant, confident, half-wrong answer (a fine-tuning gone bad)."""

    def __init__(self, start: int) -> None:
        super().__init__()
        self.start = start

    def on_epoch_begin(self, epoch, logs=None):
        if epoch >= self.start:
            head = self.model.get_layer("head")
            head.kernel.assign(np.zeros(head.kernel.shape, "float32"))
            head.bias.assign(np.full(head.bias.shape, 6.0, "float32"))


def test_the_best_epoch_is_chosen_across_both_phases(caltech):
    keras.utils.set_random_seed(0)
    splits = folders.image_datasets(caltech, (32, 32), 16, validation_split=0.2, classes=["crab", "cup"], label_mode="int", verbose=False)
    model = train_options.transfer_builder("cifar10_cnn", None)
    result = fit.fit_and_evaluate(splits, model=model, epochs=2, fine_tune_epochs=2, fine_tune_layers=4, callbacks=[_SpoilFineTuning(2)], verbose=0)
    losses = result.history.history["val_loss"]
    assert len(losses) == 4 and min(losses[2:]) > min(losses[:2]), "fine-tuning made it worse"
    assert result.best_epoch == 1 + int(np.argmin(losses[:2])), "the head phase's best epoch is kept"
    assert result.metrics["validation_loss"] == pytest.approx(min(losses[:2]), rel=1e-2), "and its weights"
    # a fine-tuning whose loss becomes NaN: the head's best epoch is kept, with a note
    keras.utils.set_random_seed(0)
    nan = fit.fit_and_evaluate(splits, model=model, epochs=2, fine_tune_epochs=2, fine_tune_layers=4, fine_tune_learning_rate=1e20, verbose=0)
    assert len(nan.notes) == 1 and "fine-tuning stopped" in nan.notes[0] and "became NaN" in nan.notes[0], "the error, kept as a note"
    assert nan.best_epoch <= 2 and np.isfinite(nan.metrics["validation_loss"])


def test_the_command_line_puts_the_global_precision_policy_back(caltech, tmp_path, monkeypatch, capsys):
    from helpers import profile

    gpu_like = profile.AcceleratorSettings(True, False, "as on a GPU with tensor cores")
    real = profile.apply_accelerator_settings
    monkeypatch.setattr(profile, "apply_accelerator_settings", lambda settings=None: real(gpu_like))  # as a GPU machine decides
    before = keras.mixed_precision.global_policy().name
    status = command.main([str(caltech), "--classes", "crab,cup", "--image-size", "32", "--epochs", "1", "--scratch", "--widths", "8",
                         "--no-augment", "--output", str(tmp_path / "m.keras"), "-q"])
    assert status == 0 and "Speed-ups: mixed precision on" in capsys.readouterr().out
    saved = keras.models.load_model(tmp_path / "m.keras", compile=False)
    assert any(layer.dtype_policy.name == "mixed_float16" for layer in saved.layers), "it trained in mixed precision"
    assert keras.mixed_precision.global_policy().name == before == "float32", "and put the global policy back"


def test_train_from_csv_has_the_same_pretrained_default(caltech, tmp_path):
    if not weights.weights_cached("MobileNetV2-0.35"):
        pytest.skip("the light ImageNet weight files are not in this Keras cache")
    rows = [f"{name}/{path.name},{name}" for name in ("crab", "cup") for path in sorted((caltech / name).iterdir())[:20]]
    (tmp_path / "labels.csv").write_text("path,label\n" + "\n".join(rows) + "\n")
    result = train.train_from_csv(tmp_path / "labels.csv", 32, root=caltech, epochs=1, fine_tune_epochs=0, augment=False, verbose=0)
    assert result.choices["base"] == "MobileNetV2-0.35" and result.choices["image_size"] == (32, 32)
    assert transfer.base_of(result.model).name == "MobileNetV2-0.35" and result.class_names == ["crab", "cup"]
