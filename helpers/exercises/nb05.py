"""Exercises of ``05_flowers_train_from_folder.ipynb``: a three-way split, the seed that keeps splits apart, early stopping."""

from __future__ import annotations

import os
from typing import Any

from helpers.exercises.base import Exercise, Feedback, as_int, correct, wrong
from helpers.language import N_, _

__all__ = ["ex1", "ex2", "ex3", "EX3_VAL_LOSS", "EX3_PATIENCE"]


# ---------------------------------------------------------------- ex1: a three-way split from one folder

#: ex1's folder: how many photos it holds, and the shares wanted for training, validation and test.
EX1_IMAGES, EX1_SHARES = 2_500, (0.7, 0.2, 0.1)


def _check_three_way_split(answer: Any) -> Feedback:
    if not isinstance(answer, dict) or set(answer) != {"validation_split", "take"}:
        return wrong(_("give a dict with two keys, {keys}.").format(keys='{"validation_split": ..., "take": ...}'))
    split, take = answer["validation_split"], answer["take"]
    if not isinstance(split, (int, float)) or isinstance(split, bool):
        return wrong(_("validation_split is a number (a fraction), not {kind}.").format(kind=type(split).__name__))
    if split >= 1:
        return wrong(_("validation_split={split} is read as a fraction of the photos, between 0 and 1: 30% is 0.3.").format(
            split=split))
    if abs(split - 0.7) < 1e-9:
        return wrong(_("validation_split is the fraction held OUT of training (subset='both' returns the kept part first), "
                       "not the part kept."))
    if abs(split - 0.2) < 1e-9 or abs(split - 0.1) < 1e-9:
        return wrong(_("validation_split={split} holds out only {split:.0%}, but the test photos must come out of the held-out "
                       "part too: hold out validation and test together, 20% + 10%.").format(split=split))
    if abs(split - 0.3) > 1e-9:
        return wrong(_("validation_split={split} keeps {kept:.0%} for training; the task keeps 70%.").format(
            split=split, kept=1 - split))
    if isinstance(take, float) and take < 1:
        return wrong(_("take({take}) counts elements, not a fraction: the datasets are unbatched (batch_size=None), "
                       "so one element is one photo.").format(take=take))
    held_out = int(split * EX1_IMAGES)  # what image_dataset_from_directory holds out
    take = as_int(take, "take")
    if take == held_out:
        return wrong(_("take({take}) keeps all {held_out} held-out photos for validation and leaves skip({take}) empty: "
                       "no test photos.").format(take=take, held_out=held_out))
    if take == round(EX1_SHARES[2] * EX1_IMAGES):
        return wrong(_("{take} photos is the test's share; take(n) keeps the FIRST n held-out photos, for validation; "
                       "skip(n) gives the rest to the test split.").format(take=take))
    if take != round(EX1_SHARES[1] * EX1_IMAGES):
        return wrong(_("take({take}) gives validation {take} photos, {share:.0%} of the folder; the task asks for 20%.").format(
            take=take, share=take / EX1_IMAGES))
    return correct(_("Keras holds out int(0.3 x {images:,}) = {held_out} photos; take(500) keeps 500 for validation and "
                     "skip(500) leaves {test} for the test: 1,750 / 500 / 250.").format(
        images=EX1_IMAGES, held_out=held_out, test=held_out - 500))


ex1 = Exercise(
    "ex1",
    N_('a dict {"validation_split": ..., "take": ...}'),
    _check_three_way_split,
    hint=N_("image_dataset_from_directory has only one split: training and 'the rest'. The test photos must come out of "
    "the rest, so validation_split is everything that is not training; take(n) then keeps the first n of the rest."),
    solution=N_('''
answer = {"validation_split": 0.3, "take": 500}   # 2,500 x 0.3 = 750 held out: 500 to validation, 250 to test'''),
    answer={"validation_split": 0.3, "take": 500},
)


# ---------------------------------------------------------------- ex2: two calls, two seeds


def overlap_with_two_seeds(folder: os.PathLike | str, validation_split: float = 0.3, seeds: tuple[int, int] = (1, 2)) -> int:
    """How many of the validation files of a call with ``seeds[1]`` are training files of a call with ``seeds[0]``.

    Each call of ``keras.utils.image_dataset_from_directory`` shuffles the file list with its own
    ``seed`` before cutting it; only the file names are listed here, no image is decoded.
    """
    import keras

    loud = keras.config.is_interactive_logging_enabled()
    keras.config.disable_interactive_logging()
    try:
        training = keras.utils.image_dataset_from_directory(
            folder, validation_split=validation_split, subset="training", seed=seeds[0], verbose=False)
        validation = keras.utils.image_dataset_from_directory(
            folder, validation_split=validation_split, subset="validation", seed=seeds[1], verbose=False)
    finally:
        if loud:
            keras.config.enable_interactive_logging()
    return len(set(training.file_paths) & set(validation.file_paths))


def _check_overlap(answer: Any, folder: os.PathLike | str) -> Feedback:
    if isinstance(answer, (set, list, tuple)):
        return wrong(_("that is a {kind} of files; give how many there are: len(...).").format(kind=type(answer).__name__))
    count = as_int(answer, _("the number of files"))
    right = overlap_with_two_seeds(folder)
    if count == right:
        return correct(_("{right} of the validation photos were also training photos: the model would be graded on photos it "
                         "learned from. Use the same seed in both calls, or one call with subset='both'.").format(right=right))
    if count == 0:
        return wrong(_("0 is what the SAME seed in both calls gives (the same shuffle, cut in the same place); "
                       "here the seeds differ. Count the files the two file_paths lists share."))
    return wrong(_("{count} is not the number of files in both lists; count them with {code}.").format(
        count=count, code="len(set(training.file_paths) & set(validation.file_paths))"))


ex2 = Exercise(
    "ex2",
    N_("a number of files"),
    _check_overlap,
    hint=N_("Build the two datasets with keras.utils.image_dataset_from_directory(flowers, validation_split=0.3, subset=..., "
    "seed=...): no image is decoded until you iterate, so it is quick. Each has a file_paths list; count the paths in both."),
    solution='''
training = keras.utils.image_dataset_from_directory(flowers, validation_split=0.3, subset="training", seed=1)
validation = keras.utils.image_dataset_from_directory(flowers, validation_split=0.3, subset="validation", seed=2)
answer = len(set(training.file_paths) & set(validation.file_paths))
print(answer, "of", len(validation.file_paths), "validation photos are training photos too")''',
)


# ---------------------------------------------------------------- ex3: early stopping, as the one call uses it

#: ex3's validation losses, one per epoch (epoch 1 first), and EarlyStopping's patience.
EX3_VAL_LOSS = (1.31, 1.02, 0.97, 1.05, 0.91, 0.95, 0.93, 0.96, 0.99, 0.94)
EX3_PATIENCE = 3


def early_stopping_outcome(val_loss: tuple[float, ...] = EX3_VAL_LOSS, patience: int = EX3_PATIENCE) -> dict[str, int]:
    """The epochs ``EarlyStopping(monitor="val_loss", patience=..., restore_best_weights=True)`` lets run, and the epoch it keeps.

    Counted the way Keras counts: an epoch that does not lower the best loss adds one to a wait,
    and training stops once the wait reaches ``patience``.
    """
    best, wait = 0, 0
    for epoch in range(1, len(val_loss)):
        if val_loss[epoch] < val_loss[best]:
            best, wait = epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return {"epochs run": epoch + 1, "epoch kept": best + 1}
    return {"epochs run": len(val_loss), "epoch kept": best + 1}


def _check_early_stopping(answer: Any) -> Feedback:
    if not isinstance(answer, dict) or set(answer) != {"epochs run", "epoch kept"}:
        return wrong(_("give a dict with two keys, {keys}.").format(keys='{"epochs run": ..., "epoch kept": ...}'))
    run, kept = as_int(answer["epochs run"], "epochs run"), as_int(answer["epoch kept"], "epoch kept")
    right = early_stopping_outcome()
    best = right["epoch kept"]
    if kept == run and kept != best:
        return wrong(_("restore_best_weights=True puts back the weights of the epoch with the lowest val_loss, not the last "
                       "epoch's ({run}).").format(run=run))
    if kept == EX3_VAL_LOSS.index(min(EX3_VAL_LOSS[:3])) + 1:
        return wrong(_("epoch {kept} was the best for a while, but a later epoch has a lower val_loss.").format(kept=kept))
    if kept != best:
        loss = EX3_VAL_LOSS[kept - 1] if 0 < kept <= len(EX3_VAL_LOSS) else _("(none)")
        return wrong(_("epoch {kept} has val_loss {loss}; the kept epoch is the one with the lowest val_loss among those "
                       "that ran.").format(kept=kept, loss=loss))
    if run == len(EX3_VAL_LOSS):
        return wrong(_("training stops before epoch {last}: after {patience} epochs in a row without a "
                       "new lowest val_loss, EarlyStopping ends it.").format(last=len(EX3_VAL_LOSS), patience=EX3_PATIENCE))
    if run == right["epochs run"] - 1 or run == right["epochs run"] + 1:
        return wrong(_("count again from epoch {best}: the epochs after it that do not beat {loss} "
                       "each add one to the wait, and training stops in the epoch where the wait reaches {patience}.").format(
            best=best, loss=EX3_VAL_LOSS[best - 1], patience=EX3_PATIENCE))
    if run != right["epochs run"]:
        return wrong(_("{run} epochs is not where the wait of {patience} epochs without a new best ends.").format(
            run=run, patience=EX3_PATIENCE))
    return correct(_("epochs {after} to {run} never beat epoch {best}'s {loss}, so training stops after epoch {run} and the "
                     "weights of epoch {best} are put back: what '(epoch {best} of {run} kept)' says.").format(
        after=best + 1, run=run, best=best, loss=EX3_VAL_LOSS[best - 1]))


ex3 = Exercise(
    "ex3",
    N_('a dict {"epochs run": ..., "epoch kept": ...}'),
    _check_early_stopping,
    hint=N_("Find the lowest val_loss epoch by epoch as it would be known at the time. After it, count the epochs that do "
    "not beat it: training stops at the epoch where that count reaches the patience."),
    solution=N_('''
# ex3 val_loss: 1.31 1.02 0.97 1.05 0.91 0.95 0.93 0.96 0.99 0.94
# the lowest so far is epoch 5 (0.91); epochs 6, 7 and 8 do not beat it: a wait of 3 = patience, so it stops after epoch 8
answer = {"epochs run": 8, "epoch kept": 5}'''),
    answer={"epochs run": 8, "epoch kept": 5},
)
