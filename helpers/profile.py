"""Run profiles: ``quick`` (CPU, CI, workshops) and ``full`` (GPU, the published accuracies).

One setting chooses the profile: the environment variable ``COURSE_PROFILE`` (``quick`` or
``full``). When it is not set, the course picks ``full`` if TensorFlow sees a GPU and ``quick``
otherwise. Every notebook calls :func:`show_profile` near its top; it prints the profile, why it
was chosen, the hardware, the library versions and what the profile changes in that notebook.

Introduced in ``00_setup.ipynb``; used by every notebook.
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass
from typing import Any

from helpers.errors import SettingError

PROFILES = ("quick", "full")


def gpu_names() -> list[str]:
    """Return the names of the GPUs TensorFlow can use (an empty list on a CPU-only machine)."""
    import tensorflow as tf

    names = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        names.append(details.get("device_name", device.name))
    return names


def current_profile() -> tuple[str, str]:
    """Return ``(profile, reason)``: the profile in force and one phrase saying why.

    Raises:
        SettingError: if ``COURSE_PROFILE`` is set to something other than ``quick`` or ``full``.
    """
    value = os.environ.get("COURSE_PROFILE", "").strip().lower()
    if value:
        if value not in PROFILES:
            raise SettingError(
                f"COURSE_PROFILE is set to {value!r}, but it must be 'quick' or 'full'; "
                "change it or unset it to let the course choose."
            )
        return value, "set by COURSE_PROFILE"
    if gpu_names():
        return "full", "a GPU is visible (set COURSE_PROFILE=quick to override)"
    return "quick", "no GPU is visible (set COURSE_PROFILE=full to override)"


def hardware_summary() -> str:
    """Describe the machine in one line: GPUs if any, else the CPU and its core count."""
    gpus = gpu_names()
    cores = os.cpu_count() or 1
    if gpus:
        return f"GPU: {', '.join(gpus)} (+ {cores} CPU cores)"
    cpu = _cpu_model() or platform.machine()
    return f"CPU only: {cpu}, {cores} cores"


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
            raise AttributeError(f"no setting named {name!r}; known: {sorted(self.values)}") from None


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

    name, reason = current_profile()
    print(f"Profile : {name} ({reason})")
    print(f"Hardware: {hardware_summary()}")
    print(
        f"Versions: Python {sys.version.split()[0]}, TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__} (backend: {keras.backend.backend()})"
    )
    values: dict[str, Any] = {}
    if changes:
        width = max(len(key) for key in changes)
        print("What the profile changes here:")
        for key, pair in changes.items():
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise TypeError(f"{key} must be a (quick, full) pair, got {pair!r}")
            quick, full = pair
            values[key] = quick if name == "quick" else full
            print(f"  {key:<{width}}  quick={_fmt(quick):<10} full={_fmt(full):<10} -> using {_fmt(values[key])}")
    return Settings(profile=name, values=values)


def _fmt(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if value is None:
        return "all"
    return str(value)
