"""The run profile and the accelerator decision, on any machine: the GPUs are monkeypatched, never assumed."""

import logging

import keras
import pytest

from helpers import profile
from helpers.errors import SettingError


@pytest.fixture(autouse=True)
def cpu_only(monkeypatch):
    """This machine shows no GPU to the code under test, and the global dtype policy is put back afterwards.

    On a GPU machine ``show_profile`` would otherwise switch on ``mixed_float16`` for every later test.
    """
    monkeypatch.setattr(profile, "gpu_details", lambda: [])
    monkeypatch.setattr(profile, "gpu_names", lambda: [])
    before = keras.mixed_precision.global_policy()
    yield
    keras.mixed_precision.set_global_policy(before)


def test_explicit_profile_wins(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert profile.current_profile() == ("full", "set by COURSE_PROFILE")
    monkeypatch.setenv("COURSE_PROFILE", " Quick ")
    assert profile.current_profile()[0] == "quick"


def test_default_follows_the_gpu(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    monkeypatch.setattr(profile, "gpu_names", lambda: ["NVIDIA H100"])
    assert profile.current_profile()[0] == "full"
    monkeypatch.setattr(profile, "gpu_names", lambda: [])
    name, reason = profile.current_profile()
    assert name == "quick" and "COURSE_PROFILE=full" in reason


def test_bad_profile_is_a_clear_setting_error(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    # the one wording test of this message: the value found, the values allowed, what to do
    with pytest.raises(SettingError, match="is set to 'fast', but it must be 'quick' or 'full'; change it or unset it") as info:
        profile.current_profile()
    assert info.value._render_traceback_() == [f"SettingError: {info.value}"]


def test_show_profile_prints_and_returns_the_values_in_force(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    settings = profile.show_profile(epochs=(3, 15), train_images=(10_000, None))
    out = capsys.readouterr().out
    assert settings.profile == "quick" and settings.epochs == 3 and settings.train_images == 10_000
    assert "Profile : quick" in out and "TensorFlow" in out and "Keras 3" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith("  ")}
    assert rows["epochs"] == ["quick=3", "full=15", "->", "using", "3"]
    assert rows["train_images"] == ["quick=10,000", "full=all", "->", "using", "10,000"]
    monkeypatch.setenv("COURSE_PROFILE", "full")
    full = profile.show_profile(epochs=(3, 15), train_images=(10_000, None))
    assert full.epochs == 15 and full.train_images is None


def test_show_profile_rejects_a_value_that_is_not_a_pair(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    with pytest.raises(TypeError, match=r"epochs must be a \(quick, full\) pair, got 3"):
        profile.show_profile(epochs=3)


def test_unknown_setting_names_the_known_ones(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    settings = profile.show_profile(epochs=(1, 2))
    with pytest.raises(AttributeError, match="known: \\['epochs'\\]"):
        _ = settings.batch_size


def test_choose_and_hardware(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert profile.choose(1, 2) == 2
    monkeypatch.setattr(profile, "gpu_names", lambda: [])
    assert profile.hardware_summary().startswith("CPU only:")


def test_accelerator_settings_follow_the_hardware():
    cpu = profile.accelerator_settings(gpus=[])
    assert (cpu.mixed_precision, cpu.jit_compile) == (False, False) and cpu.reason.startswith("no GPU")
    h100 = profile.accelerator_settings(gpus=[{"name": "NVIDIA H100", "compute_capability": (9, 0)}])
    assert (h100.mixed_precision, h100.jit_compile) == (True, True) and "9.0 >= 7.0" in h100.reason
    assert profile.accelerator_settings(gpus=[{"name": "Tesla T4", "compute_capability": (7, 5)}]).mixed_precision
    p100 = profile.accelerator_settings(gpus=[{"name": "Tesla P100", "compute_capability": (6, 0)}])
    assert (p100.mixed_precision, p100.jit_compile) == (False, True) and "6.0 < 7.0" in p100.reason
    mixed = profile.accelerator_settings(gpus=[{"name": "A100", "compute_capability": (8, 0)}, {"name": "K80", "compute_capability": (3, 7)}])
    assert not mixed.mixed_precision, "the oldest GPU decides"
    # the one formatting test of the banner line; the banner prints .line (test below)
    assert h100.line == "Speed-ups: mixed precision on, XLA on (NVIDIA H100: compute capability 9.0 >= 7.0, tensor cores run float16 fast)"
    assert p100.line.startswith("Speed-ups: mixed precision off, XLA on (")
    assert profile.accelerator_settings(gpus=None) == cpu, "gpus=None asks gpu_details: here, no GPU"


def test_gpu_facts_come_from_tensorflow(monkeypatch):
    import tensorflow as tf

    monkeypatch.undo()  # the real functions, on whatever this machine has (CPU only, or GPUs)
    devices = tf.config.list_physical_devices("GPU")
    assert len(profile.gpu_names()) == len(profile.gpu_details()) == len(devices), "one entry per visible GPU"
    assert all(isinstance(gpu["name"], str) for gpu in profile.gpu_details())
    assert profile.accelerator_settings() == profile.accelerator_settings(gpus=profile.gpu_details())
    assert profile.hardware_summary().startswith("GPU: " if devices else "CPU only: ")


def test_show_profile_prints_the_decision_and_sets_the_policy(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    a100 = [{"name": "NVIDIA A100", "compute_capability": (8, 0)}]
    monkeypatch.setattr(profile, "gpu_details", lambda: a100)
    try:
        profile.show_profile()
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
        assert profile.accelerator_settings(gpus=a100).line in capsys.readouterr().out.splitlines()
    finally:
        monkeypatch.setattr(profile, "gpu_details", lambda: [])
        profile.show_profile()
    assert keras.mixed_precision.global_policy().name == "float32"
    assert profile.accelerator_settings(gpus=[]).line in capsys.readouterr().out.splitlines()


def test_quiet_tensorflow_keeps_a_setting_of_ones_own_and_silences_info_lines(monkeypatch):
    import tensorflow as tf

    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    before = tf.get_logger().level
    tf.get_logger().setLevel("INFO")  # where a notebook's logger starts
    try:
        profile.quiet_tensorflow()
        assert tf.get_logger().level == logging.WARNING
    finally:
        tf.get_logger().setLevel(before)
    assert profile.os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    profile.quiet_tensorflow()
    assert profile.os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1", "a learner's own level wins"


def test_tensorflow_warnings_are_held_for_a_block_only():
    import tensorflow as tf

    absl = logging.getLogger("absl")
    before = tf.get_logger().level, absl.level
    with pytest.raises(RuntimeError), profile.tensorflow_warnings_held():
        assert tf.get_logger().level == absl.level == logging.ERROR
        raise RuntimeError("the block fails")
    assert (tf.get_logger().level, absl.level) == before


def test_speed_ups_forced_on_a_cpu_compile_every_model_with_xla_in_float16(monkeypatch, capsys):
    monkeypatch.setattr(profile, "gpu_details", lambda: [])
    monkeypatch.setenv(profile.SPEEDUPS_ENV, "on")
    try:
        settings = profile.apply_accelerator_settings()
        assert settings.line.startswith("Speed-ups: mixed precision on, XLA on (COURSE_SPEEDUPS=on")
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax", dtype="float32")])
        model.compile("adam", "sparse_categorical_crossentropy")  # a notebook's plain compile: "auto"
        assert model.jit_compile is True and keras.mixed_precision.global_policy().name == "mixed_float16"
        model.compile("adam", "sparse_categorical_crossentropy", jit_compile=False)
        assert model.jit_compile is False, "an explicit choice is kept"
        monkeypatch.setenv(profile.SPEEDUPS_ENV, "off")
        assert profile.apply_accelerator_settings().line.startswith("Speed-ups: mixed precision off, XLA off (COURSE_SPEEDUPS=off")
        model.compile("adam", "sparse_categorical_crossentropy")
        assert model.jit_compile is False, "back to Keras's own rule: no XLA on a CPU"
    finally:
        monkeypatch.delenv(profile.SPEEDUPS_ENV)
        profile.apply_accelerator_settings()
    assert keras.mixed_precision.global_policy().name == "float32"


def test_speed_ups_forced_off_on_a_gpu_keep_xla_off_as_the_banner_says(monkeypatch):
    monkeypatch.setattr(profile, "gpu_details", lambda: [{"name": "NVIDIA H100", "compute_capability": (9, 0)}])
    monkeypatch.setenv(profile.SPEEDUPS_ENV, "off")
    keras_rule = next(owner for owner in keras.Model.__mro__ if "_resolve_auto_jit_compile" in owner.__dict__)
    monkeypatch.setattr(keras_rule, "_resolve_auto_jit_compile", lambda self: True)  # Keras's answer on a GPU
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    try:
        assert profile.apply_accelerator_settings().line.startswith("Speed-ups: mixed precision off, XLA off")
        model.compile("adam", "sparse_categorical_crossentropy")
        assert model.jit_compile is False
    finally:
        monkeypatch.delenv(profile.SPEEDUPS_ENV)
        monkeypatch.setattr(profile, "gpu_details", lambda: [])
        profile.apply_accelerator_settings()
    assert "_resolve_auto_jit_compile" not in keras.Model.__dict__, "the automatic rule leaves Keras's own decision"


def test_a_speed_ups_setting_the_course_does_not_know_is_one_clear_sentence(monkeypatch):
    monkeypatch.setenv(profile.SPEEDUPS_ENV, "yes")
    with pytest.raises(SettingError, match="use auto .*, on or off"):
        profile.accelerator_settings()
    assert profile.accelerator_settings(gpus=[]).reason.startswith("no GPU"), "settings passed by hand ignore it"
