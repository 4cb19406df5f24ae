"""Train on several devices at once: distribution strategies and the linear scaling rule.

One machine with several GPUs: ``tf.distribute.MirroredStrategy()`` puts a copy (a *replica*) of
the model on every GPU; each batch is split between them, each replica computes the gradients of
its share, and the gradients are summed across replicas before every update, so all copies stay
identical. Several machines: ``tf.distribute.MultiWorkerMirroredStrategy()`` does the same across
machines (each one needs a ``TF_CONFIG`` environment variable naming the cluster and its own role).

Keras needs two things from you: build and compile the model inside ``strategy.scope()`` (the
training helpers do it when given ``strategy=``), and feed *global* batches, which Keras splits
evenly between the replicas. With ``n`` replicas, keep each replica's batch as it was, so the
global batch is ``n`` times larger; then, by the **linear scaling rule** (Goyal et al., 2017,
"Accurate, Large Minibatch SGD"), multiply the learning rate by ``n`` too, since each update now
averages ``n`` times as many images. :func:`scaled_settings` does both sums. (The rule is a
starting point: for very large batches it needs a few epochs of warm-up, as the ``one_cycle``
schedule gives.)

Introduced in ``03_cifar10_cnn.ipynb``; ``train_from_folder(strategy=...)`` uses it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from helpers.language import _
from helpers.tables import text_table


def scaled_settings(batch_size: int, learning_rate: float, replicas: int) -> tuple[int, float]:
    """The global batch size and learning rate for ``replicas`` devices, by the linear scaling rule.

    Each replica keeps ``batch_size`` images per step, so the global batch is
    ``batch_size * replicas``; the learning rate grows by the same factor.

    >>> scaled_settings(32, 1e-3, 4)
    (128, 0.004)
    """
    if replicas < 1:
        raise ValueError(_("replicas must be 1 or more, not {replicas}").format(replicas=replicas))
    return batch_size * replicas, learning_rate * replicas


def replicas(strategy=None) -> int:
    """How many replicas ``strategy`` trains on (1 without a strategy)."""
    return 1 if strategy is None else int(strategy.num_replicas_in_sync)


def scope(strategy=None) -> contextlib.AbstractContextManager:
    """``strategy.scope()``, or a context that does nothing when ``strategy`` is ``None``."""
    return contextlib.nullcontext() if strategy is None else strategy.scope()


def scaling_table(batch_size: int, learning_rate: float, counts: Iterable[int] = (1, 2, 4, 8)) -> str:
    """A small text table of :func:`scaled_settings` for several replica counts."""
    rows = []
    for count in counts:
        batch, rate = scaled_settings(batch_size, learning_rate, count)
        rows.append((f"{count}", f"{batch_size}", f"{batch}", f"{rate:.4g}"))
    return text_table(rows, (_("replicas"), _("batch per replica"), _("global batch"), _("learning rate")), align="rrrr")


def device_names(strategy) -> list[str]:
    """The devices ``strategy``'s replicas run on, shortened (``CPU:0``, ``GPU:1``)."""
    devices: Iterator[str] = iter(getattr(strategy.extended, "worker_devices", ()))
    return ["/".join(device.split("/")[-1:]).replace("device:", "") for device in devices]
