"""The ImageNet bases in a smoke run (:mod:`helpers.course.smoke`): no downloads, and fewer of the large ones.

With the speed-ups forced on, a CPU runs each base in float16 (no fast kernels) and XLA-compiles every model it
trains. Training VGG16 alone on one batch of 8 photos at 224 px then takes minutes. So a smoke run:

- builds a base whose ImageNet file is not on this machine with ``weights=None`` (:func:`local_weights`,
  :func:`random_when_absent`): weight files are never downloaded;
- trains only :data:`TRAINED_BASES` (EfficientNetB0) in :func:`helpers.transfer_comparison.compare_bases` (the
  others are still listed, built and counted, as "not trained in this profile"): :func:`fewer_trained`;
- times the bases of :func:`helpers.transfer_comparison.time_bases` at :data:`TIMING_SIZE` unless a size is given
  (every base is still built, float16, and run on real photos): :func:`smaller_timing`.

It also holds the two helpers both smoke modules use, :func:`say` and :func:`on_this_machine`, so that
:mod:`helpers.course.smoke` imports this module and not the other way round.

Course machinery (not taught in a notebook); tested in ``tests/test_smoke.py``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path

#: The bases a smoke run trains in ``compare_bases``: the lightest one whose path notebook 06 does not train elsewhere
#: (it rescales inside the model; 06 fine-tunes a full-width MobileNetV2 on its digits already), head first, then
#: fine-tuned. Training MobileNetV2 here as well cost about a minute more and covered nothing new.
TRAINED_BASES = ("EfficientNetB0",)
#: The input size of ``time_bases`` in a smoke run (at least InceptionV3's smallest, 75 px).
TIMING_SIZE = (96, 96)

_said: set[str] = set()


def say(message: str) -> None:
    """Print ``smoke: <message>`` once per message."""
    if message not in _said:
        _said.add(message)
        print(f"smoke: {message}", flush=True)


def on_this_machine(info, archive) -> bool:
    """True when a checked copy of ``archive`` is in the Keras cache or in a mirror folder: no download needed.

    Checked, because a full and a mini archive may share a file name there (``flower_photos_archive``).
    """
    import urllib.request

    from helpers.data.download import is_valid, mirror_candidates
    from helpers.data.paths import cached_path

    if is_valid(cached_path(archive), archive):
        return True
    urls, _ = mirror_candidates(info, archive)
    files = [Path(urllib.request.url2pathname(url[7:])) for url in urls if url.startswith("file://")]
    return any(is_valid(path, archive) for path in files)


def weights_here(base: str) -> bool:
    """True when ``base``'s ImageNet weight file is in the Keras cache or a mirror folder."""
    from helpers.data.registry import DatasetInfo
    from helpers.data.weights import weight_file

    archive = weight_file(base)
    return on_this_machine(DatasetInfo(name="models", title=base, full=archive, mini=None), archive)


def local_weights(fetch_weights: Callable) -> Callable:
    """Wrap ``fetch_weights``: a weight file that is not on this machine is reported, not downloaded.

    It returns ``None`` then, so a base built in plain Keras with ``weights=fetch_weights(...)`` gets
    random weights, and :func:`random_when_absent` does the same for the course's builders.
    """

    @functools.wraps(fetch_weights)
    def wrapper(base: str, verbose: bool = False) -> Path | None:
        if weights_here(base):
            return fetch_weights(base, verbose=verbose)
        say(f"no ImageNet file for {base} on this machine: it is built with weights=None")
        return None

    wrapper.__smoke__ = True
    return wrapper


def random_when_absent(resolve: Callable) -> Callable:
    """Wrap ``transfer._resolve_weights``: ``weights="imagenet"`` without the file gives ``None`` (random weights)."""

    @functools.wraps(resolve)
    def wrapper(spec, weights):
        if isinstance(weights, str) and weights == "imagenet" and spec.imagenet and not weights_here(spec.name):
            say(f"no ImageNet file for {spec.name} on this machine: it is built with weights=None")
            return None
        return resolve(spec, weights)

    wrapper.__smoke__ = True
    return wrapper


def fewer_trained(compare_bases: Callable) -> Callable:
    """Wrap ``compare_bases``: only the bases of :data:`TRAINED_BASES` among those it would train are trained.

    When none of them is among those, the first one is trained, so the training path always runs.
    """

    @functools.wraps(compare_bases)
    def wrapper(*args, **kwargs):
        bound = inspect.signature(compare_bases).bind(*args, **kwargs)
        bound.apply_defaults()
        options = bound.arguments
        wanted = list(options["trained"] if options["trained"] is not None else options["bases"])
        kept = [base for base in wanted if base in TRAINED_BASES] or wanted[:1]
        if kept != wanted:
            say(f"compare_bases trains {', '.join(kept)} only; the other bases are built and listed, not trained")
        options["trained"] = kept
        extra = options.pop("train_options", {})
        return compare_bases(**options, **extra)

    wrapper.__smoke__ = True
    return wrapper


def smaller_timing(time_bases: Callable) -> Callable:
    """Wrap ``time_bases``: the bases run at :data:`TIMING_SIZE` when the call gives no ``image_size``."""

    @functools.wraps(time_bases)
    def wrapper(bases, images, image_size=None):
        if image_size is None:
            say(f"time_bases runs each base at {TIMING_SIZE[0]}x{TIMING_SIZE[1]} px, not its native size")
            image_size = TIMING_SIZE
        return time_bases(bases, images, image_size)

    wrapper.__smoke__ = True
    return wrapper
