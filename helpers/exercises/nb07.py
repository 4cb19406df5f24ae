"""Exercises of ``07_ensembles.ipynb``: soft voting by hand, the split for ensemble weights, the noise of a paired difference."""

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
                     "be an honest estimate for new images. Fit on the validation split.")
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


# ---------------------------------------------------------------- ex3: the noise of a paired difference


def _check_paired_error(answer: Any, y_true: Any, predicted_a: Any, predicted_b: Any) -> Feedback:
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return wrong(f"give one number (a fraction such as 0.0123), not {type(answer).__name__}.")
    y_true = np.asarray(y_true).astype(int).ravel()
    a, b = (np.asarray(p) for p in (predicted_a, predicted_b))
    a, b = (p.argmax(-1) if p.ndim == 2 else p for p in (a, b))
    right_a, right_b = a == y_true, b == y_true
    difference = right_a.astype(float) - right_b
    n = len(y_true)
    expected = difference.std(ddof=1) / np.sqrt(n)
    p_a, p_b = right_a.mean(), right_b.mean()
    close = lambda target: np.isclose(value, target, rtol=0.02)  # noqa: E731
    if close(expected):
        return correct(f"the two models differ on only {np.sum(difference != 0):,} of the {n:,} images: the per-image "
                       f"difference (+1, -1 or 0) has a standard deviation of {difference.std(ddof=1):.3f}, so the gain of "
                       f"{100 * difference.mean():+.2f} points has a standard error of {100 * expected:.2f} points, less than "
                       "either accuracy's own, because the images both get right or both get wrong add no noise.")
    if close(100 * expected):
        return wrong(f"that is the standard error in points ({value:.2f}); give it as a fraction, {expected:.4f}.")
    if close(np.sqrt(p_a * (1 - p_a) / n + p_b * (1 - p_b) / n)):
        return wrong("that treats the two accuracies as independent, as if they came from different test images. They were "
                     "scored on the same images: take the per-image difference (+1, -1 or 0) and its standard error.")
    if close(np.sqrt(p_a * (1 - p_a) / n)) or close(np.sqrt(p_b * (1 - p_b) / n)):
        return wrong("that is the standard error of one model's accuracy; the question is about the difference of the two, "
                     "image by image.")
    if close(difference.var(ddof=1) / n) or close(difference.var(ddof=1)):
        return wrong("that is a variance; the standard error is the standard deviation of the per-image difference divided by sqrt(n).")
    if close(difference.std(ddof=1)):
        return wrong("that is the standard deviation of one image's difference; divide by sqrt(n), the number of test images.")
    if close(abs(difference.mean())):
        return wrong("that is the gain itself (the mean of the per-image difference); the question asks for its standard error.")
    return wrong("per test image, compute (average right) - (majority vote right), which is +1, -1 or 0; "
                 "its standard deviation divided by sqrt(n) is the standard error of the gain.")


ex3 = Exercise(
    "ex3",
    "the standard error of the difference in test accuracy between the average and the majority vote, as a fraction",
    _check_paired_error,
    hint="Both were scored on the same images. d = (test_predictions[\"average\"] == y_test) * 1.0 - (test_predictions[\"majority vote\"] "
    "== y_test) is +1, -1 or 0 per image; the standard error of its mean is d.std(ddof=1) / np.sqrt(len(d)).",
    solution='''
d = (test_predictions["average"] == y_test).astype(float) - (test_predictions["majority vote"] == y_test)
answer = d.std(ddof=1) / np.sqrt(len(d))   # or ensembles.paired_standard_error(y_test, test_predictions["average"], test_predictions["majority vote"])
print(f"gain {100 * d.mean():+.2f} ± {100 * answer:.2f} points")''',
)
