"""Exercises of ``07_ensembles.ipynb``: soft voting by hand, the split for ensemble weights, a bootstrap sample."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises.base import ____, Exercise, Feedback, correct, wrong

__all__ = ["____", "ex1", "ex2", "ex3", "THREE_MEMBERS"]

#: Three members' probabilities for two images and three classes: shape (members, images, classes).
THREE_MEMBERS = np.array(
    [
        [[0.90, 0.10, 0.00], [0.20, 0.30, 0.50]],  # member 1
        [[0.40, 0.60, 0.00], [0.10, 0.60, 0.30]],  # member 2
        [[0.45, 0.55, 0.00], [0.15, 0.50, 0.35]],  # member 3
    ]
)


# ---------------------------------------------------------------- ex1: soft voting


def _check_soft_vote(answer: Any) -> Feedback:
    predicted = np.asarray(answer)
    if predicted.shape == (2, 3):
        return wrong("these are probabilities; the answer is one class index per image: take .argmax(axis=-1) of the average.")
    if predicted.shape != (2,):
        return wrong(f"give one class index per image, two in all (for example [2, 0]); your answer has shape {predicted.shape}.")
    predicted = predicted.astype(int)
    soft = THREE_MEMBERS.mean(axis=0).argmax(-1)
    if np.array_equal(predicted, soft):
        return correct("image 1 goes to class 0 (mean 0.58) although two members of three vote for class 1: soft voting lets "
                       "member 1's confidence (0.90) outweigh two lukewarm votes (0.60 and 0.55).")
    votes = THREE_MEMBERS.argmax(-1)  # (members, images)
    hard = np.array([np.bincount(column, minlength=3).argmax() for column in votes.T])
    if np.array_equal(predicted, hard):
        return wrong("that is the majority vote (hard voting): each member's top class, counted. Soft voting averages the "
                     "probabilities first, then takes the most probable class.")
    for member, labels in enumerate(votes, start=1):
        if np.array_equal(predicted, labels):
            return wrong(f"those are member {member}'s own predictions; average the three members' probabilities first.")
    if np.array_equal(predicted, THREE_MEMBERS.mean(axis=0).argmin(-1)):
        return wrong("those are the *least* probable classes: use argmax, not argmin.")
    return wrong("average the three members' probabilities for each image (axis 0 of the array), then take the most probable class.")


ex1 = Exercise(
    "ex1",
    "the soft-vote class of each of the two images, as a list of two class indices",
    _check_soft_vote,
    hint="ex1.data has shape (members, images, classes): mean over axis 0, then argmax over the last axis "
    "(or ensembles.average(ex1.data)).",
    solution='''
answer = ex1.data.mean(axis=0).argmax(axis=-1)   # or ensembles.average(ex1.data).argmax(-1)
print(answer)''',
    answer=[0, 1],
    data=THREE_MEMBERS,
)


# ---------------------------------------------------------------- ex2: fit ensemble weights on validation data


def _check_weight_split(answer: Any, board: Any) -> Feedback:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return wrong("give the pair (probabilities, labels) you would pass to WeightedAverage().fit, for example (val_probs, y_val).")
    probs, labels = np.asarray(answer[0]), np.asarray(answer[1]).astype(int).ravel()
    if probs.ndim != 3:
        return wrong(f"the probabilities should be stacked as (members, images, classes); yours have shape {probs.shape}.")
    if labels.shape == board.y_test.shape and np.array_equal(labels, board.y_test):
        return wrong("those are the test labels. Weights chosen on the test set are tuned to it, and the test score would no longer "
                     "be an honest estimate for new digits. Fit on the validation split.")
    if not (labels.shape == board.y_val.shape and np.array_equal(labels, board.y_val)):
        return wrong("those labels are neither the validation nor the test labels. If they are the training labels: the members "
                     "trained on those images and are over-confident there, so weights fitted on them trust the wrong members. "
                     "Use the validation split.")
    if probs.shape[1] != len(labels):
        return wrong(f"the probabilities cover {probs.shape[1]:,} images but the labels {len(labels):,}: take both from the same split.")
    if np.mean(probs.mean(axis=0).argmax(-1) == labels) < 0.5:
        return wrong("the probabilities do not belong to those labels (the average is right on fewer than half of them): "
                     "pair the validation probabilities with the validation labels.")
    return correct("the validation split: images the members never trained on, and not the test set. "
                   "ensembles.WeightedAverage().fit(*answer) fits the weights; the test set is used once, for the report.")


ex2 = Exercise(
    "ex2",
    "the pair (probabilities, labels) to fit WeightedAverage on, for example (some_probs, some_labels)",
    _check_weight_split,
    hint="Three splits, three jobs (see the table at the top): which one is for every choice about the combination?",
    solution='''
answer = (val_probs, y_val)
print(ensembles.WeightedAverage().fit(*answer).weights_)''',
)


# ---------------------------------------------------------------- ex3: a bootstrap sample


def _check_bootstrap(answer: Any, n: int) -> Feedback:
    indices = np.asarray(answer)
    if indices.ndim != 1 or not np.issubdtype(indices.dtype, np.integer):
        return wrong(f"give a 1-D array of integer indices (what x_train[indices] needs); yours has shape {indices.shape} and dtype {indices.dtype}.")
    if len(indices) != n:
        return wrong(f"a bootstrap sample has as many draws as the training set ({n:,}); yours has {len(indices):,}.")
    if indices.min() < 0 or indices.max() >= n:
        return wrong(f"indices must lie in 0 .. {n - 1:,}; yours run from {indices.min():,} to {indices.max():,}.")
    distinct = len(np.unique(indices)) / n
    if distinct == 1.0:
        return wrong("every image appears exactly once: that is a shuffle (drawn *without* replacement). A bootstrap sample draws "
                     "with replacement, so some images come twice or more and about 37% not at all.")
    if not 0.55 < distinct < 0.70:
        return wrong(f"{distinct:.0%} of the images are in your sample; uniform draws with replacement keep about 63% (1 - 1/e). "
                     "Draw every index with equal probability.")
    return correct(f"{distinct:.1%} distinct images, close to the expected 63.2% (1 - 1/e); the {1 - distinct:.1%} left out are this "
                   "member's out-of-bag images.")


ex3 = Exercise(
    "ex3",
    "an array of len(x_train) indices drawn with replacement",
    _check_bootstrap,
    hint="np.random.default_rng(0).integers(0, n, size=n) draws n indices from 0..n-1, with replacement; "
    "ensembles.bootstrap_indices(n, seed=0) does the same.",
    solution='''
answer = np.random.default_rng(0).integers(0, len(x_train), size=len(x_train))   # or ensembles.bootstrap_indices(len(x_train), seed=0)
print(f"{len(np.unique(answer)) / len(answer):.1%} distinct images")''',
)
