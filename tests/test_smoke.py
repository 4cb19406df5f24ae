"""``make smoke`` (helpers/course/smoke.py): the caps it puts on training, its data and weights substitutions,
the one seam that installs them (the runner, in each notebook's kernel), and a whole notebook run through the
series runner, where a broken full-profile-only line must fail it.

The caps are tested on the wrapped functions directly, and the seam's patches are undone after its test,
so nothing is patched for the other tests.
"""

from __future__ import annotations

import asyncio
import types

import keras
import nbformat
import numpy as np
import pytest
import tensorflow as tf
from nbclient.exceptions import CellExecutionError

from helpers import profile, transfer, transfer_comparison
from helpers.course import runner, smoke, smoke_bases
from helpers.data import arrays, download, folders, registry, weights
from helpers.data.weights import fetch_weights, weights_path


@pytest.fixture(scope="module")
def digits(dataset_here):
    dataset_here("mnist")
    (x, y), _ = arrays.load_mnist(verbose=False)
    return x[:2_000].astype("float32") / 255, y[:2_000]


def _dense():
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_enabled_reads_the_variable(monkeypatch):
    for value, expected in (("1", True), ("yes", True), ("", False), ("0", False), ("false", False)):
        monkeypatch.setenv(smoke.SMOKE_ENV, value)
        assert smoke.enabled() is expected, value


def test_steps_are_capped_only_where_a_pass_is_longer(digits):
    x, y = digits
    assert smoke.batches(x, 32) == 63 and smoke.batches(x, 100, validation_split=0.1) == 18
    assert smoke.batches({"image": x, "other": y}, 500) == 4, "several inputs: the rows of the first"
    dataset = folders.prepare(tf.data.Dataset.from_tensor_slices((x[:70], y[:70])), 32)
    assert smoke.batches(dataset) == 3
    assert smoke.capped_steps(None, 63) == smoke.STEPS
    assert smoke.capped_steps(None, smoke.STEPS) is None, "a pass no longer than the cap is left whole"
    assert smoke.capped_steps(None, None) == smoke.STEPS
    assert smoke.capped_steps(1, 63) == 1 and smoke.capped_steps(50, None) == smoke.STEPS


def test_fit_runs_a_few_batches_of_a_few_epochs(digits, capsys):
    x, y = digits
    model = _dense()
    fit = smoke.capped_fit(type(model).fit)
    history = fit(model, x, y, validation_split=0.1, epochs=40, batch_size=32, verbose=0)
    assert history.epoch == list(range(smoke.EPOCHS)), "40 epochs asked, the cap ran"
    assert int(model.optimizer.iterations) == smoke.EPOCHS * smoke.STEPS
    assert "val_accuracy" in history.history, "validation still runs"
    assert "smoke: fit capped at" in capsys.readouterr().out
    # fine-tuning goes on from initial_epoch: the cap counts from there
    later = fit(model, x, y, validation_data=(x[:64], y[:64]), epochs=60, initial_epoch=40, batch_size=32, verbose=0)
    assert later.epoch == [40 + i for i in range(smoke.EPOCHS)]
    assert int(model.optimizer.iterations) == 2 * smoke.EPOCHS * smoke.STEPS


class _BatchRows(keras.layers.Layer):
    """Passes its input through and keeps the rows of the last batch it saw."""

    def build(self, shape):
        self.rows = self.add_weight(shape=(), initializer="zeros", trainable=False, name="rows")

    def call(self, x):
        self.rows.assign(keras.ops.cast(keras.ops.shape(x)[0], "float32"))
        return x


def test_arrays_without_a_batch_size_get_small_batches(digits):
    """Keras turns ``steps`` with no batch size into batches of rows / steps: one capped step would be all 2,000 digits."""
    x, y = digits
    rows = _BatchRows()
    model = keras.Sequential([keras.Input((28, 28)), rows, keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    smoke.capped_fit(type(model).fit)(model, x, y, validation_data=(x[:512], y[:512]), epochs=3, verbose=0)
    assert float(rows.rows.numpy()) == smoke.BATCH, "the validation batch, like the training one, is capped"
    assert int(model.optimizer.iterations) == smoke.EPOCHS * smoke.STEPS
    rows.rows.assign(0.0)
    smoke.capped_evaluate(type(model).evaluate)(model, x, y, verbose=0)
    assert float(rows.rows.numpy()) == smoke.BATCH
    dataset = tf.data.Dataset.from_tensor_slices((x[:64], y[:64])).batch(16)
    assert smoke.capped_batch_size(dataset, None) is None, "a dataset is batched already: Keras rejects a batch size"
    assert smoke.capped_batch_size(x, 4) == 4 and smoke.capped_batch_size({"image": x}, 64) == smoke.BATCH


def test_evaluate_is_capped_and_predict_is_not(digits):
    x, y = digits
    model = _dense()
    evaluate = smoke.capped_evaluate(type(model).evaluate)
    seen = []
    counter = keras.callbacks.LambdaCallback(on_test_batch_end=lambda batch, logs: seen.append(batch))
    loss, accuracy = evaluate(model, x, y, batch_size=32, verbose=0, callbacks=[counter])
    assert len(seen) == smoke.STEPS < len(x) // 32, "evaluate stops after STEPS batches"
    assert np.isfinite(loss)
    assert len(model.predict(x[:100], verbose=0)) == 100


def test_mini_archive_where_the_full_one_is_not_here(empty_cache, course_mirror, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(course_mirror))
    choose = smoke.local_variant(download.choose_variant)
    assert download.choose_variant("cifar10") == "full", "the full profile asks for the full archive"
    assert choose("cifar10") == "mini" and choose("caltech101", "full") == "mini"
    assert "smoke: the full cifar10 archive is not on this machine: using its mini archive (6,000 images)" in capsys.readouterr().out
    assert choose("mnist") == "full", "no mini archive: the full one is fetched as usual"
    # a Keras-cache-shaped mirror holds flowers' mini archive under the name the full one would have
    monkeypatch.setenv("COURSE_DATA_MIRROR", f"{course_mirror};{course_mirror.parent / 'keras_home'}")
    info = registry.get_dataset("flower_photos")
    assert info.full.cache_name == info.mini.cache_name and not smoke_bases.on_this_machine(info, info.full)
    assert choose("flower_photos") == "mini"


def test_folder_datasets_are_capped(course_mirror, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(course_mirror))
    root = download.fetch("caltech101", verbose=False)
    splits = smoke.capped_folders(folders.image_datasets)(root, (32, 32), validation_split=0.4, verbose=False)
    linked = sum(1 for path in smoke.capped_directory(root, smoke.LINKED_IMAGES).rglob("*") if path.is_file())
    assert smoke.LINKED_IMAGES <= linked < smoke.LINKED_IMAGES + 2 * len(splits.class_names), "the first photos of each class"
    assert 0 < splits.counts["train"] <= smoke.TRAIN_IMAGES and 0 < splits.counts["validation"] <= smoke.EVAL_IMAGES
    assert splits.counts["train"] + splits.counts["validation"] <= linked, "read from the folder of links"
    assert sum(int(labels.shape[0]) for _, labels in splits.train) == splits.counts["train"]


def test_a_notebooks_own_folder_dataset_reads_a_folder_of_links_to_the_first_images_of_each_class(tmp_path, capsys):
    from PIL import Image

    for name in ("cats", "dogs"):
        (tmp_path / "photos" / name).mkdir(parents=True)
        for i in range(10):
            Image.new("RGB", (8, 8), (i * 20, 0, 0)).save(tmp_path / "photos" / name / f"{i:02d}.png")
    linked = smoke.capped_directory(tmp_path / "photos", 6)
    assert sorted(p.name for p in (linked / "cats").iterdir()) == ["00.png", "01.png", "02.png"]
    assert (linked / "dogs" / "00.png").resolve() == (tmp_path / "photos" / "dogs" / "00.png").resolve()
    assert smoke.capped_directory(tmp_path / "photos", 6) == linked, "made once, then reused"
    capped = smoke.capped_directory_datasets(keras.utils.image_dataset_from_directory)
    dataset = capped(tmp_path / "photos", image_size=(8, 8), batch_size=64)
    assert dataset.class_names == ["cats", "dogs"] and len(dataset.file_paths) == 20, "fewer than LINKED_IMAGES: all of them"
    assert int(next(iter(dataset))[0].shape[0]) <= smoke.BATCH, "batches of at most BATCH"
    assert "image_dataset_from_directory capped" in capsys.readouterr().out


def test_full_profile_image_counts_are_capped_and_nothing_else(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    show = smoke.capped_settings(profile.show_profile)
    settings = show(train_images=(1_500, 50_000), test_digits=(2_000, 10_000), validation_images=(1_000, 96), epochs=(3, 40),
                    train_larger_bases=(False, True))
    assert settings.train_images == smoke.SETTING_IMAGES and settings.test_digits == smoke.SETTING_IMAGES // 4
    assert settings.validation_images == 96 and settings.epochs == 40 and settings.train_larger_bases is True


def test_a_base_without_its_imagenet_file_is_built_with_random_weights(empty_cache, capsys):
    resolve = smoke_bases.random_when_absent(transfer._resolve_weights)
    assert resolve(transfer.get_base("Xception"), "imagenet") is None
    assert resolve(transfer.get_base("cifar10_cnn"), None) is None
    assert smoke_bases.local_weights(fetch_weights)("ResNet50") is None, "not downloaded, only reported: the base gets weights=None"
    assert not weights_path("ResNet50").exists()
    out = capsys.readouterr().out
    assert "smoke: no ImageNet file for Xception on this machine: it is built with weights=None" in out
    assert "smoke: no ImageNet file for ResNet50" in out



def test_compare_bases_trains_only_the_light_bases_and_still_lists_the_others(capsys):
    calls = []

    def compare_bases(datasets, bases=("VGG16",), available=None, trained=None, **train_options):
        calls.append((tuple(bases), trained, train_options))
        return []

    wrapped = smoke_bases.fewer_trained(compare_bases)
    wrapped({"cats vs dogs": None}, bases=("VGG16", "ResNet50", "EfficientNetB0", "MobileNetV2"), epochs=5)
    wrapped({"cats vs dogs": None}, bases=("VGG16", "Xception"), trained=("Xception",))
    assert calls[0] == (("VGG16", "ResNet50", "EfficientNetB0", "MobileNetV2"), ["EfficientNetB0"], {"epochs": 5})
    assert calls[1][1] == ["Xception"], "none of the light ones asked for: the first asked-for base still trains"
    assert "smoke: compare_bases trains EfficientNetB0 only" in capsys.readouterr().out


def test_time_bases_runs_each_base_at_the_smaller_size_unless_one_is_given():
    photos = np.zeros((1, 120, 120, 3), "float32")
    timed = smoke_bases.smaller_timing(transfer_comparison.time_bases)
    (timing,) = timed(["MobileNetV2"], photos)
    assert timing.input_size == smoke_bases.TIMING_SIZE and timing.parameters > 2_000_000, "the full-width base, at 96 px"
    assert timed(["MobileNetV2"], photos, (64, 64))[0].input_size == (64, 64)

#: Every attribute :func:`smoke.install` replaces.
PATCHED = (
    (keras.Model, "fit"), (keras.Model, "evaluate"),
    (download, "choose_variant"), (arrays, "choose_variant"),
    (folders, "image_datasets"),
    (weights, "fetch_weights"), (transfer, "fetch_weights"), (transfer_comparison, "fetch_weights"),
    (transfer, "_resolve_weights"), (folders, "dataset_arrays"),
    (keras.utils, "image_dataset_from_directory"), (profile, "show_profile"),
    (transfer_comparison, "compare_bases"), (transfer_comparison, "time_bases"),
)


class _Kernel:
    """Stands for a notebook's kernel client: runs the code it is sent here, in its own namespace."""

    def __init__(self):
        self.sent, self.namespace = [], {}

    async def execute_interactive(self, code, **options):
        self.sent.append(code)
        try:
            exec(code, self.namespace)
        except Exception as error:  # what a kernel reports
            return {"content": {"status": "error", "ename": type(error).__name__, "evalue": str(error), "traceback": []}}
        return {"content": {"status": "ok"}}


def test_the_runner_installs_the_caps_in_the_kernel_once_before_the_first_cell(digits, monkeypatch, capsys):
    for owner, name in PATCHED:
        monkeypatch.setattr(owner, name, getattr(owner, name))  # put back after this test
    monkeypatch.setattr(smoke_bases, "_said", set())  # each message again
    assert not any(getattr(getattr(owner, name), "__smoke__", False) for owner, name in PATCHED), "import helpers patches nothing"
    client = types.SimpleNamespace(kc=_Kernel(), timeout=60)
    hook = runner.smoke_setup_hook(client)
    for index in range(3):
        asyncio.run(hook(cell=None, cell_index=index))
    assert client.kc.sent == [runner.SMOKE_SETUP], "sent once, before the first cell"
    assert set(client.kc.namespace) == {"__builtins__"}, "the notebook's names are left alone"
    assert all(getattr(getattr(owner, name), "__smoke__", False) for owner, name in PATCHED)
    x, y = digits
    model = _dense()
    history = model.fit(x, y, epochs=40, batch_size=32, verbose=0)
    assert history.epoch == list(range(smoke.EPOCHS)) and int(model.optimizer.iterations) == smoke.EPOCHS * smoke.STEPS
    assert "smoke: fit capped at" in capsys.readouterr().out


def test_a_smoke_setup_that_fails_fails_the_notebook(monkeypatch):
    monkeypatch.setattr(runner, "SMOKE_SETUP", "raise ImportError('no helpers here')")
    hook = runner.smoke_setup_hook(types.SimpleNamespace(kc=_Kernel(), timeout=60))
    with pytest.raises(CellExecutionError) as error:
        asyncio.run(hook(cell=None, cell_index=0))
    assert (error.value.ename, error.value.evalue) == ("ImportError", "no helpers here")


BANNER = """import helpers
from helpers import profile, transfer
from helpers.data import arrays
import keras

settings = profile.show_profile(epochs=(1, 40), image_size=((96, 96), (64, 64)))"""

TRAIN = """(x, y), _ = arrays.load_mnist(verbose=False)
model = keras.Sequential([keras.Input((28, 28)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),
                          keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
history = model.fit(x[:2_000], y[:2_000], epochs=settings.epochs, batch_size=32, verbose=0)
print("epochs run:", len(history.epoch), "| batches:", int(model.optimizer.iterations))"""

# A full-profile-only bug: Xception needs images of at least 71x71 pixels; the quick profile never builds it.
FULL_ONLY = """if settings.profile == "full":
    base = transfer.build_transfer_classifier("Xception", 2, settings.image_size, weights=None)"""


def _notebook(path, *cells):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell) for cell in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def _outputs(path) -> str:
    cells = nbformat.read(path, as_version=4).cells
    return "".join(output.get("text", "") for cell in cells for output in cell.get("outputs", []))


def test_a_smoke_run_fails_on_a_broken_full_profile_line(tmp_path, monkeypatch, dataset_here):
    """Run through the series runner in fresh kernels: with COURSE_SMOKE set, the runner installs the caps in each kernel."""
    dataset_here("mnist")  # the good notebook loads MNIST in its kernel: from the Keras cache or a mirror only
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.delenv(smoke.SMOKE_ENV, raising=False)
    broken = _notebook(tmp_path / "98_broken.ipynb", BANNER, FULL_ONLY)
    assert runner.run_notebook(broken).status == "ok", "the quick profile never reaches the broken line"

    monkeypatch.setenv("COURSE_PROFILE", "full")
    monkeypatch.setenv(smoke.SMOKE_ENV, "1")
    monkeypatch.setenv("XLA_FLAGS", "")  # restored after the test: the runner sets it for the kernels it starts
    failed = runner.run_notebook(broken)
    assert failed.status.startswith("failed: TrainSettingError: Xception needs images of at least 71x71 pixels"), failed.status

    flags = 'import os\nprint("XLA_FLAGS:", os.environ["XLA_FLAGS"])'
    good = _notebook(tmp_path / "99_good.ipynb", BANNER, TRAIN, flags)
    row = runner.run_notebook(good, inplace=True)
    assert row.status == "ok", row.status
    out = _outputs(good)
    assert "Profile : full" in out and "smoke: fit capped at" in out
    saved = nbformat.read(good, as_version=4).cells
    assert [cell.source for cell in saved] == [BANNER, TRAIN, flags], "the set-up code is never saved into the notebook"
    assert [cell.execution_count for cell in saved] == [1, 2, 3]
    assert f"XLA_FLAGS: {smoke.XLA_FLAG}" in out, "the kernel's XLA compiles at the smoke run's optimisation level"
    assert f"epochs run: {smoke.EPOCHS} | batches: {smoke.EPOCHS * smoke.STEPS}" in out, "40 epochs of 63 batches were asked"


def test_a_smoke_run_compiles_with_xla_at_the_lowest_optimisation_level_unless_told_otherwise():
    assert smoke.xla_flags("") == "--xla_backend_optimization_level=0"
    assert smoke.xla_flags("--xla_dump_to=/tmp/x") == "--xla_dump_to=/tmp/x --xla_backend_optimization_level=0"
    assert smoke.xla_flags("--xla_backend_optimization_level=2") == "--xla_backend_optimization_level=2", "a maintainer's own level wins"
