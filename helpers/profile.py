"""Run profiles: ``quick`` (CPU, CI, workshops) and ``full`` (GPU, the published accuracies).

One setting chooses the profile: the environment variable ``COURSE_PROFILE`` (``quick`` or
``full``). When it is not set, the course picks ``full`` if TensorFlow sees a GPU and ``quick``
otherwise. Every notebook calls :func:`show_profile` near its top; it prints the profile, why it
was chosen, the hardware, the library versions and what the profile changes in that notebook.

The banner also says whether training uses mixed precision and XLA here, and why
(:func:`accelerator_settings`), and sets Keras's dtype policy accordingly.

:func:`quiet_tensorflow` and :func:`tensorflow_warnings_held` are the one place that keeps TensorFlow's
log lines out of notebooks and terminals.

Introduced in ``00_setup.ipynb``; used by every notebook.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from helpers.errors import SettingError
from helpers.language import N_, _
from helpers.tables import text_table

PROFILES = ("quick", "full")

#: ``auto`` (the default: mixed precision and XLA where the GPU gains from them), ``on`` or ``off`` on any machine.
SPEEDUPS_ENV = "COURSE_SPEEDUPS"


def quiet_tensorflow() -> None:
    """Keep TensorFlow's start-up notices and INFO lines out of notebooks and terminals; a setting of one's own wins.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (errors only) unless it is set: its C++ notices (CUDA probes, oneDNN) are
    decided when TensorFlow loads, so ``import helpers`` calls this first, and the series runner passes it on to
    each notebook's kernel. Once TensorFlow is loaded, its Python logger keeps warnings and errors only: in a
    notebook it starts at INFO and prints lines such as ``INFO:tensorflow:Using MirroredStrategy ...``.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].get_logger().setLevel("WARNING")


@contextlib.contextmanager
def tensorflow_warnings_held() -> Iterator[None]:
    """Hold TensorFlow's and absl's Python loggers at ERROR during a block, then put their levels back.

    For warnings that are expected where the course calls (the "excessive retracing" of an ensemble's
    members, the "No training configuration found" of a legacy ``.h5`` file) and mean nothing to a learner.
    """
    import tensorflow as tf

    loggers = [tf.get_logger(), logging.getLogger("absl")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def gpu_names() -> list[str]:
    """Return the names of the GPUs TensorFlow can use (an empty list on a CPU-only machine)."""
    import tensorflow as tf

    names = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        names.append(details.get("device_name", device.name))
    return names


def gpu_details() -> list[dict[str, Any]]:
    """The facts :func:`accelerator_settings` needs about each GPU: ``{"name": ..., "compute_capability": (8, 0)}``."""
    import tensorflow as tf

    details = [tf.config.experimental.get_device_details(device) for device in tf.config.list_physical_devices("GPU")]
    return [{"name": d.get("device_name", "GPU"), "compute_capability": d.get("compute_capability")} for d in details]


@dataclass(frozen=True)
class AcceleratorSettings:
    """Whether to train in mixed precision and with XLA on this machine, and why (see :func:`accelerator_settings`)."""

    mixed_precision: bool
    jit_compile: bool
    reason: str

    @property
    def line(self) -> str:
        """One line for the banner, for example ``Speed-ups: mixed precision on, XLA on (...)``."""
        on = {True: _("on"), False: _("off")}
        return _("Speed-ups: mixed precision {mixed_precision}, XLA {xla} ({reason})").format(
            mixed_precision=on[self.mixed_precision], xla=on[self.jit_compile], reason=self.reason)


def accelerator_settings(gpus: list[dict[str, Any]] | None = None) -> AcceleratorSettings:
    """Decide mixed precision and XLA from the GPUs present (``None``: ask TensorFlow via :func:`gpu_details`).

    Introduced in ``03_cifar10_cnn.ipynb``. The rule:

    - no GPU: both off. A CPU computes float16 no faster than float32, and XLA's compile time is
      rarely repaid there (Keras's ``jit_compile="auto"`` also leaves XLA off on a CPU);
    - GPUs whose compute capability is 7.0 or more (V100, T4, A100, H100, RTX 20xx and later):
      mixed precision on, since their tensor cores multiply float16 matrices several times faster;
      XLA on (``jit_compile="auto"`` compiles each training step into fused GPU kernels);
    - an older GPU (compute capability below 7.0, such as a P100 or K80): XLA on, mixed precision
      off (no tensor cores: float16 would save memory but not time).

    Args:
        gpus: one dict per GPU with ``"name"`` and ``"compute_capability"`` (a ``(major, minor)`` pair),
            as :func:`gpu_details` returns; pass them by hand to see what another machine would get.
            Left out (this machine), ``COURSE_SPEEDUPS=on`` or ``off`` overrides the rule
            (:func:`forced_speedups`).
    """
    if gpus is None:
        forced = forced_speedups()
        if forced is not None:
            return forced
    gpus = gpu_details() if gpus is None else list(gpus)
    if not gpus:
        return AcceleratorSettings(False, False, _("no GPU: a CPU is no faster in float16, and XLA's compile time is not repaid"))
    capability = min(tuple(gpu.get("compute_capability") or (0, 0)) for gpu in gpus)
    name, version = gpus[0].get("name", "GPU"), ".".join(str(part) for part in capability)
    if capability >= (7, 0):
        return AcceleratorSettings(True, True, _("{name}: compute capability {version} >= 7.0, tensor cores run float16 fast").format(
            name=name, version=version))
    return AcceleratorSettings(False, True, _("{name}: compute capability {version} < 7.0, no tensor cores for float16").format(
        name=name, version=version))


def forced_speedups() -> AcceleratorSettings | None:
    """The speed-ups ``COURSE_SPEEDUPS`` forces on this machine (``on`` or ``off``), or ``None`` for the automatic rule.

    ``on`` is how the GPU code path (float16 layers, XLA-compiled steps) is tested on a CPU
    (``make smoke``): slower there, but every dtype or compilation error a GPU would meet shows up.

    Raises:
        SettingError: if ``COURSE_SPEEDUPS`` is set to something other than ``auto``, ``on`` or ``off``.
    """
    value = os.environ.get(SPEEDUPS_ENV, "").strip().lower()
    if value in ("", "auto"):
        return None
    if value not in ("on", "off"):
        raise SettingError(_("{setting}={value!r} is not a setting the course knows: use auto (the default), on or off.").format(
            setting=SPEEDUPS_ENV, value=value))
    if value == "on":
        return AcceleratorSettings(True, True, _("{setting}=on: forced, as on a recent GPU; on a CPU it is slower and only tests that code path").format(
            setting=SPEEDUPS_ENV))
    return AcceleratorSettings(False, False, f"{SPEEDUPS_ENV}=off")


def _resolve_as_on_a_gpu(model) -> bool:
    """``jit_compile="auto"`` decided as Keras decides it on a GPU: XLA unless tf.distribute or a layer rules it out."""
    if getattr(model, "_distribute_strategy", None):
        return False
    return all(getattr(layer, "supports_jit", True) for layer in model._flatten_layers())


def _resolve_never(model) -> bool:
    """``jit_compile="auto"`` decided as off: speed-ups forced off on a machine with a GPU."""
    return False


def _auto_jit_compile_follows(jit_compile: bool, has_gpu: bool) -> None:
    """Make ``compile``'s ``jit_compile="auto"`` agree with ``jit_compile`` where Keras's own rule would not.

    Keras resolves ``"auto"`` to XLA only where TensorFlow sees a GPU (``Model._resolve_auto_jit_compile``).
    Speed-ups forced on without a GPU make it decide as on a GPU (XLA unless tf.distribute or a layer
    rules it out); forced off with a GPU make it decide off. Elsewhere Keras's rule stands. Every
    ``model.compile(...)`` follows, the notebooks' own included; an explicit ``jit_compile=True`` or
    ``False`` is left as given, and ``compile`` itself is untouched (so ``load_model`` still compiles a
    saved model).
    """
    import keras

    wanted = None if jit_compile == has_gpu else (_resolve_as_on_a_gpu if jit_compile else _resolve_never)
    current = keras.Model.__dict__.get("_resolve_auto_jit_compile")
    if current in (_resolve_as_on_a_gpu, _resolve_never) and current is not wanted:
        del keras.Model._resolve_auto_jit_compile
    if wanted is not None:
        keras.Model._resolve_auto_jit_compile = wanted


def apply_accelerator_settings(settings: AcceleratorSettings | None = None) -> AcceleratorSettings:
    """Set Keras's global dtype policy from ``settings`` (default: :func:`accelerator_settings` of this machine).

    ``mixed_float16`` when mixed precision is on, else ``float32``; models built afterwards follow
    it (the course's builders keep their output layer in float32). XLA needs nothing set on a GPU:
    ``compile``'s default ``jit_compile="auto"`` already uses it there; where speed-ups are forced on a
    machine without a GPU (``COURSE_SPEEDUPS=on``), ``"auto"`` is made to mean XLA too, and where they
    are forced off on a GPU (``COURSE_SPEEDUPS=off``), to mean no XLA: the banner says what ``compile`` does.
    """
    import keras

    settings = settings or accelerator_settings()
    keras.mixed_precision.set_global_policy("mixed_float16" if settings.mixed_precision else "float32")
    _auto_jit_compile_follows(settings.jit_compile, has_gpu=bool(gpu_details()))
    return settings


def current_profile() -> tuple[str, str]:
    """Return ``(profile, reason)``: the profile in force and one phrase saying why.

    Raises:
        SettingError: if ``COURSE_PROFILE`` is set to something other than ``quick`` or ``full``.
    """
    value = os.environ.get("COURSE_PROFILE", "").strip().lower()
    if value:
        if value not in PROFILES:
            raise SettingError(
                _("COURSE_PROFILE is set to {value!r}, but it must be 'quick' or 'full'; "
                  "change it or unset it to let the course choose.").format(value=value)
            )
        return value, _("set by COURSE_PROFILE")
    if gpu_names():
        return "full", _("a GPU is visible; set COURSE_PROFILE=quick to override")
    return "quick", _("no GPU is visible; set COURSE_PROFILE=full to override")


def hardware_summary(translate: bool = False) -> str:
    """Describe the machine in one line: GPUs if any, else the CPU and its core count.

    In English (it goes into the series' records and the README) unless ``translate``: the banner's line
    is in the language in force.
    """
    gpus = gpu_names()
    cores = os.cpu_count() or 1
    text = _ if translate else str
    if gpus:
        return text(N_("GPU: {gpus} (+ {cores} CPU cores)")).format(gpus=", ".join(gpus), cores=cores)
    cpu = _cpu_model() or platform.machine()
    return text(N_("CPU only: {cpu}, {cores} cores")).format(cpu=cpu, cores=cores)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


@dataclass
class Settings:
    """The values in force for one notebook, as chosen by the profile.

    Access them as attributes (``settings.epochs``); ``profile`` holds the profile name.
    """

    profile: str
    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(_("no setting named {name!r}; known: {known}").format(name=name, known=sorted(self.values))) from None


def choose(quick: Any, full: Any) -> Any:
    """Return ``quick`` or ``full`` according to the profile in force."""
    return quick if current_profile()[0] == "quick" else full


def show_profile(**changes: tuple[Any, Any]) -> Settings:
    """Print the profile banner and return the settings in force.

    Each keyword names one thing the profile changes, as a ``(quick_value, full_value)`` pair,
    for example ``show_profile(epochs=(3, 15), train_images=(10_000, 60_000))``.

    Returns:
        A :class:`Settings` whose attributes are the values for the profile in force.
    """
    import keras
    import tensorflow as tf

    quiet_tensorflow()
    name, reason = current_profile()
    print(_("Profile : {name} ({reason})").format(name=name, reason=reason))
    print(_("Hardware: {hardware}").format(hardware=hardware_summary(translate=True)))
    print(
        _("Versions: Python {python}, TensorFlow {tensorflow}, Keras {keras} (backend: {backend})").format(
            python=sys.version.split()[0], tensorflow=tf.__version__, keras=keras.__version__,
            backend=keras.backend.backend())
    )
    print(apply_accelerator_settings().line)
    values: dict[str, Any] = {}
    for key, pair in changes.items():
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise TypeError(_("{key} must be a (quick, full) pair, got {pair!r}").format(key=key, pair=pair))
        values[key] = pair[0] if name == "quick" else pair[1]
    if changes:
        print(_("What the profile changes here:"))
        print(_changes_table(changes, values))
    return Settings(profile=name, values=values)


def _changes_table(changes: dict[str, tuple[Any, Any]], values: dict[str, Any]) -> str:
    """The banner's lines ``  epochs  quick=3          full=12         -> using 3``: names in one column.

    The quick and full values are fields of at least 10 characters that a longer value widens on its own line only.
    """
    row = _("quick={quick:<10} full={full:<10} -> using {value}")
    rows = [("", key, row.format(quick=_fmt(quick), full=_fmt(full), value=_fmt(values[key])))
            for key, (quick, full) in changes.items()]
    return text_table(rows)


def _fmt(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if value is None:
        return "all"
    return str(value)
